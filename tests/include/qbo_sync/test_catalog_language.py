"""Every cause and fix speaks QuickBooks' language and can be followed as written.

* The whole catalog (our checks, ``qbo_sync.catalog.CATALOG``, and QuickBooks' faults,
  ``qbo_sync.catalog.QUICKBOOKS``), every entry, rendered with a realistic value per placeholder, the
  values for QuickBooks things made by the very helpers the sync fills them with: no bare
  QuickBooks Id ("tax code 14", "QuickBooks id 58", an Id outside parentheses after a name)
  and no placeholder left unfilled.
* Every command a cause or fix suggests parses with the real CLI parser.
* Real runs against the emulator: an inactive tax code and an inactive item are named by
  their names; the name-clash fix's template, applied with the real CLI, makes the clashing
  client sync while the clash is still there.

App ids (client 105, invoice id 812, app payment 7) are the billing app's own numbers,
which its screens show; only QuickBooks Ids must never stand alone.
"""

from __future__ import annotations

import re
import shlex
import string
from datetime import date
from decimal import Decimal as D

import pytest

from qbo_client import QboFault
from qbo_client.codes import kind
from qbo_sync import catalog as sync_catalog
from qbo_sync.companies.cli import build_parser as companies_parser
from qbo_sync.companies.read_blocks import build_parser as read_blocks_parser
from qbo_sync.extract.records import Client
from qbo_sync.items.match import CatalogItem, QboItem, Resolution, item_context
from qbo_sync.outcomes import for_tenant
from qbo_sync.pipeline import run_once
from qbo_sync.records.__main__ import build_parser as records_parser
from qbo_sync.tenants.__main__ import _parser as tenants_parser
from qbo_sync.validate import templates
from qbo_sync.validate.company import CompanyFacts
from qbo_sync.validate.company_settings import CompanyProfile, RecordedCompany, conflicts_text, settings_conflicts
from qbo_sync.validate.invoices import _transaction_label
from qbo_sync.validate.tracking import label as tracking_label
from support.runs import full_window, logged
from support.scenario import build_au_tenant

PARSERS = {
    "qbo_sync.tenants": tenants_parser,
    "qbo_sync.companies": companies_parser,
    "qbo_sync.companies.read_blocks": read_blocks_parser,
    "qbo_sync.records": records_parser,
}

# QuickBooks things as the sync names them, made by the helpers the validate step uses.
FACTS = CompanyFacts(tax_codes={"14": ("GST", False)}, items={"7": ("Product", False)})
CLASHING = Client(
    id=1042,
    tenant_id=1,
    first_name="Jane",
    last_name="Smith",
    company_name=None,
    email=None,
    phone=None,
    parent_client_id=None,
)
HOLDER = {
    "Id": "58",
    "DocNumber": "INV-0042",
    "TxnDate": "2026-10-02",
    "CustomerRef": {"value": "9", "name": "Harbour Cafe"},
}

# One realistic value per placeholder of qbo_sync.catalog (a new placeholder must be added).
EXAMPLES: dict[str, object] = {
    "tenant_id": 3,
    "source_id": 812,
    "number": "INV-0042",
    "invoice_number": "INV-0042",
    "old_number": "INV-0041",
    "finalized_at": date(2026, 9, 30),
    "connected_at": date(2026, 10, 1),
    "status": "'Finalised'",
    "tax_rate": "GST",
    "tax_mode": "compound",
    "tax_code": FACTS.tax_code_label("14"),
    "item": FACTS.item_label("7"),
    "kind": "product",
    "mismatch": "App tax rate GST 10% is mapped to QuickBooks tax code 'GST' (15%)",
    "mismatched_rate": "GST",
    "length": 25,
    "ids": "812, 813",
    "holder": _transaction_label(HOLDER),
    "client_id": 1042,
    "display_name": "Jane Smith (01042)",
    "suggested_template": templates.suggest([(CLASHING, None)], "{name} ({tag})", lambda names: set())[1042],
    "qbo_id": "58",
    "parent_id": 1041,
    "parent_reason": "Client 1041 has neither a first and last name nor a company name",
    "client_reason": "The customer name 'Jane Smith (01042)' is already used by a vendor.",
    "total": D("110.00"),
    "tax_total": D("10.00"),
    "expected_total": D("110.01"),
    "expected_tax": D("10.01"),
    "position": 2,
    "line_amount": D("45.00"),
    "quantity": D("2"),
    "unit_price": D("22.49"),
    "expected": D("44.98"),
    "issue_date": date(2026, 6, 30),
    "closed_on": date(2026, 6, 30),
    "incomplete_position": 3,
    "missing": "unit price",
    "discount_position": 1,
    "discount_kind": "voucher",
    "path": "1042 -> 1043 -> 1042",
    "reference": "CARD-0001",
    "invoice_id": 812,
    "amount_text": "-5.00",
    "balance": D("20.00"),
    "reason": "Invoice INV-0042 uses the tax rate 'GST', which is not linked",
    "method": "Bitcoin",
    "app_payment_id": 7,
    "email": "jane smith@example.com",
    "email_problem": "it contains a space",
    "blocked_until": "2026-12-01 00:00 UTC",
    # link and unlink (qbo_sync.records), named as qbo_sync.records.kinds names them
    "app_kind": "client",
    "app_flag": "--client-id",
    "qbo_flag": "--customer-id",
    "qbo_kind": "customer",
    "record": "client Jane Smith (client id 1042)",
    "qbo_record": "the QuickBooks customer 'Jane Smith (01042)' (Id 58)",
    "new_qbo_record": "the QuickBooks customer 'Jane Smith' (Id 61)",
    "other_record": "client Jane Smyth (client id 1043)",
    "other_id": 1043,
    "given_id": "61",
    "realm_id": "9130357766271816",
    "old_realm": "9130357766270001",
    "run_id": "scheduled__2026-11-23T10:00:00+00:00",
    "stage": "load",
    "connection": "reconnect required",
    "app_status": "a draft",
    "qbo_state": "inactive",
    "qbo_customer": "'Harbour Cafe' (Id 9)",
    "qbo_customer_id": "9",
    "client_customer": "the QuickBooks customer 'Jane Smith (01042)' (Id 58)",
    "why": "it was deleted there.",
    "problem": "QuickBooks error 10000: An application error has occurred.",
    "acted_by": "alice",
    "holder_id": "58",
    "changed_at": "2026-11-29 14:05 UTC",
    "changes": "total 110.00 -> 99.00; date 2026-11-02 -> 2026-11-05",
    "survivor": "the QuickBooks customer 'Jane Smith (01042)' (Id 58)",
    "what": "Invoice INV-0042",
    "how": "the change made in QuickBooks was undone there",
    # Classes and locations (catalog/entries_classes.py), named by validate/tracking.label.
    "class_name": tracking_label({"4": ("Clinics:Bondi", False)}, "4"),
    "location_name": tracking_label({"12": ("Bondi", False)}, "12"),
    "location_label": "location",
    "company": "Harbour Physio Pty Ltd",
    "app_location": "Coogee",
    "linked_locations": "'Bondi Beach', 'Manly'",
    # currencies (entries_currency.py)
    "currency": "EUR",
    "home_currency": "AUD",
    "rate_date": "2026-11-02",
    "their_currency": "AUD",
    # refunds (catalog/entries_refunds.py)
    "refund": "RF-0301",
    "payment": "CARD-0001",
    "payment_id": 7,
    "payment_amount": D("110.00"),
    "account_type": "of type Other Current Asset",
    "refunded_before": D("30.00"),
    "refunded": D("10.00"),
    "excess": D("5.00"),
    "refunds": "CHQ-0401",
    "unapplied": D("15.00"),
    "left": D("5.00"),
    "account_name": "'Euro Cheque Account'",
    # refunds read back from QuickBooks (catalog/entries_readback.py), as payments.refunds_in names them
    "receipt": "'RR-1043' (Id 77)",
    "customer": "'Jane Smith (01042)'",
    "ref_num": "'CARD-0001'",
    "payments": "CARD-0001, CARD-0002",
    # an invoice moved to another client (catalog/entries_moves.py), as load/moves.py names them
    "old_customer": "'Jane Smith' (Id 58)",
    "credit_notes": "'CN-0012' (applied by QuickBooks payment Id 90)",
}
# company_settings_mismatch: what validate fills in, made by the very comparison it runs.
_CONFLICTS = settings_conflicts(
    3,
    RecordedCompany(region="US", home_currency="USD", tax_links=(("GST", "TAX"),)),
    CompanyProfile(
        name="Harbourside Physio Pty Ltd", country="AU", home_currency="AUD", multicurrency=False, tax_model="tax_codes"
    ),
    {"4": ("GST", True), "6": ("GST free", True)},
)
EXAMPLES["problems"], EXAMPLES["fixes"] = conflicts_text(_CONFLICTS)
# Items and income accounts (catalog/entries_items.py): made by the item module's own wording.
_ITEM = QboItem("31", "Initial consultation", False, "C-1", "Service", "Initial consultation")
EXAMPLES.update(
    item_context(2, Resolution(CatalogItem(14, "Consult", "service", "C-1"), "item_ambiguous", _ITEM, "sku", (_ITEM,)))
)
EXAMPLES.update(item_name="Consult", detail="The name supplied already exists.")

BARE_WORDING = re.compile(
    r"(?i)\b(?:tax code|tax rate|item|account|customer|vendor|supplier|employee|product|service)"
    r"\s+(?:id\s*)?#?\d+\b"
)
QUICKBOOKS_ID = re.compile(r"(?i)\bQuickBooks\s+id\b")
ID = re.compile(r"(?i)\bids?\s+\d+")
# The billing app's own ids, which its screens show: "client id 105", "invoice id 812".
APP_ID = re.compile(r"(?i)\b(?:client|invoice|clients|invoice numbers?)\s+ids?\s+\d+")
NAMED = re.compile(r"'[^']+'|\d{4}-\d{2}-\d{2}")
COMMAND = re.compile(r"`(python -m [^`]+)`")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def bare_ids(text: str) -> list[str]:
    """Every way ``text`` shows a QuickBooks Id without a name beside it (commands, checked
    by the CLI parser instead, are left out: ``--tenant-id 3`` is the app's tenant)."""
    text = COMMAND.sub("`command`", text)
    problems = [m.group(0) for m in BARE_WORDING.finditer(text)]
    problems += [m.group(0) for m in QUICKBOOKS_ID.finditer(text)]
    app = {m.end() for m in APP_ID.finditer(text)}
    for m in ID.finditer(text):
        if m.end() in app:
            continue
        opening = text.rfind("(", 0, m.start())
        closing = text.find(")", m.end())
        inside = opening != -1 and closing != -1 and text.rfind(")", 0, m.start()) < opening
        before = text[max(0, opening - 60) : opening].rstrip()
        named = inside and (before.endswith("'") or NAMED.search(text[opening:closing]) or NAMED.search(before[-30:]))
        if not named:
            problems.append(f"{m.group(0)} (not in parentheses after a name)")
    return problems


def commands(text: str) -> list[str]:
    return COMMAND.findall(text)


def parse_error(command: str) -> str | None:
    words = shlex.split(command)
    module = words[2]
    if module not in PARSERS:
        return f"no parser known for {module}"
    try:
        PARSERS[module]().parse_args(words[3:])
    except SystemExit as exc:
        return f"refused by the CLI (exit {exc.code})"
    return None


def test_examples_cover_every_placeholder():
    used = set()
    for entry in sync_catalog.CATALOG.values():
        used |= placeholders(entry.cause) | placeholders(entry.fix)
    assert used - set(EXAMPLES) == set(), "give new placeholders a realistic example here"


def test_the_walk_catches_what_it_should():
    # The checks themselves fail on the wording the issue reported.
    assert bare_ids("make the tax code 14 active again")
    assert bare_ids("Another QuickBooks customer (id 58) already has the name")
    assert bare_ids("posts product lines to the QuickBooks item 7, which is inactive")
    assert bare_ids("QuickBooks already has a transaction numbered INV-1 (Id 58)")
    assert not bare_ids("The QuickBooks customer 'Jane Smith' (Id 58) is inactive")
    assert parse_error("python -m qbo_sync.tenants set --display-name-template '{name}'")
    assert parse_error("python -m qbo_sync.tenants map-tax")


@pytest.mark.parametrize("code", sorted(sync_catalog.CATALOG))
def test_sync_catalog_entry_speaks_quickbooks_language(code):
    entry = sync_catalog.CATALOG[code]
    assert "{qbo_id}" not in entry.cause.replace("(Id {qbo_id})", "") + entry.fix.replace("(Id {qbo_id})", ""), (
        "a QuickBooks Id only ever follows a name, as '(Id {qbo_id})'"
    )
    cause, fix = entry.render(**EXAMPLES)
    for text in (cause, fix):
        assert not re.search(r"<[a-z_]+>", text), f"unfilled placeholder in: {text}"
        assert bare_ids(text) == [], text
        for command in commands(text):
            assert parse_error(command) is None, f"{code}: `{command}` {parse_error(command)}"


def _fault_texts(key):
    fault = QboFault(kind(key).code or "99999", element="Line.SalesItemLineDetail.TaxCodeRef", entity_name="Invoice")
    _entry, cause, fix = sync_catalog.explain_quickbooks(key, fault)
    return [for_tenant(cause, 3, "9130357766271816"), for_tenant(fix, 3, "9130357766271816")]


@pytest.mark.parametrize("key", sorted(sync_catalog.QUICKBOOKS))
def test_quickbooks_fault_entry_speaks_quickbooks_language(key):
    for text in _fault_texts(key):
        assert not re.search(r"<[a-z_]+>", text), f"unfilled placeholder in: {text}"
        # {sequence} is a numbering pattern given as an example, not a placeholder.
        assert not re.search(r"\{[a-z_]+\}", text.replace("{sequence}", "")), text
        assert bare_ids(text) == [], text
        for command in commands(text):
            assert parse_error(command) is None, f"{key}: `{command}` {parse_error(command)}"


# --- real runs against the emulator ---------------------------------------------------------


def _deactivate(qbo, entity, name):
    [row] = qbo.query(f"select * from {entity} where Name = '{name}'")
    qbo.update(entity, {"Id": row["Id"], "SyncToken": row["SyncToken"], "Active": False}, sparse=True)
    return str(row["Id"])


def test_inactive_tax_code_and_item_are_named_by_name(db, qbo_app, qbo_factory):
    build_au_tenant(db, qbo_app)
    with qbo_factory(1) as qbo:
        gst = _deactivate(qbo, "TaxCode", "GST")
        product = db.execute(
            "SELECT default_product_item_id FROM qbo_sync.tenant_settings WHERE tenant_id = 1"
        ).fetchone()[0]
        product_name = qbo.read("Item", product)["Name"]
        _deactivate(qbo, "Item", product_name)
    run_once(db, full_window("lang1"), qbo_factory)
    status, code, cause, fix = logged(
        db, "lang1", "invoice", 2, "status", "error_code", "cause", "fix"
    )  # one GST line, no product
    assert (status, code) == ("failed", "tax_code_inactive")
    assert "tax code 'GST'" in cause and "make the tax code 'GST' active again" in fix
    assert f" {gst} " not in f" {cause} {fix} " and bare_ids(cause + " " + fix) == []
    status, code, cause, fix = logged(
        db, "lang1", "invoice", 1, "status", "error_code", "cause", "fix"
    )  # GST + a product line
    assert (status, code) == ("failed", "tax_code_inactive")
    # Its second problem is noted in the cause ("Also: ..."), named as well.
    assert f"the QuickBooks item '{product_name}', which is inactive" in cause
    assert bare_ids(cause + " " + fix) == []
    for command in commands(cause + " " + fix):
        assert parse_error(command) is None, command


def test_name_clash_fix_followed_as_written_syncs_the_client(
    db, qbo_app, qbo_factory, database_url, monkeypatch, capsys
):
    from qbo_sync.tenants.__main__ import main as tenants_main

    build_au_tenant(db, qbo_app)
    with qbo_factory(1) as qbo:  # a vendor already holds client 1's QuickBooks name
        qbo.create("Vendor", {"DisplayName": "Jane Smith (00001)"})
    run_once(db, full_window("clash1"), qbo_factory)
    status, code, _cause, fix = logged(db, "clash1", "customer", 1, "status", "error_code", "cause", "fix")
    assert (status, code) == ("failed", "name_clash_vendor")
    [command] = [c for c in commands(fix) if "--display-name-template" in c]
    current = db.execute("SELECT display_name_template FROM qbo_sync.tenant_settings WHERE tenant_id = 1").fetchone()[0]
    suggested = shlex.split(command)[shlex.split(command).index("--display-name-template") + 1]
    assert suggested != current  # never the template that clashed

    monkeypatch.setenv("QBO_SYNC_DATABASE_URL", database_url)
    assert tenants_main(shlex.split(command)[3:]) == 0  # the real CLI, as finance would run it
    capsys.readouterr()
    run_once(db, full_window("clash2"), qbo_factory)
    assert logged(db, "clash2", "customer", 1, "status", "error_code", "cause", "fix")[:2] == ("synced", None)
    assert logged(db, "clash2", "invoice", 1, "status", "error_code", "cause", "fix")[0] == "synced"
    with qbo_factory(1) as qbo:  # the clash is still there, and the client is in QuickBooks
        assert qbo.query("select * from Vendor where DisplayName = 'Jane Smith (00001)'")
        name = suggested.format(name="Jane Smith", tag="00001", id=1)
        assert qbo.query(f"select * from Customer where DisplayName = '{name}'")


def test_every_outcome_of_a_real_demo_run_speaks_quickbooks_language(db, qbo_app, qbo_factory):
    """The walk again, over what a real run wrote: the generated demo data (every planted bad
    case, a revoked company) synced against the emulator, every cause and fix in the sync log."""
    from qbo_devkit.demo import setup_tenants
    from qbo_devkit.generator.dataset import generate

    manifest = generate(db, seed=7, tenants=4, invoices=160, replace=True)
    setup_tenants(db, qbo_app, manifest, qbo_app.app_credentials)
    run_once(db, full_window("demo-language"), qbo_factory)
    rows = db.execute(
        "SELECT entity, source_ref, error_code, cause, fix FROM qbo_sync.sync_log"
        " WHERE run_id = 'demo-language' AND status IN ('failed', 'skipped')"
    ).fetchall()
    codes = {r[2] for r in rows}
    assert {
        "tax_code_inactive",
        "default_item_inactive",
        "name_clash_vendor",
        "client_inactive_in_quickbooks",
    } <= codes and len(rows) > 40
    for entity, ref, code, cause, fix in rows:
        for text in (cause, fix or ""):
            assert bare_ids(text) == [], (entity, ref, code, text)
            assert not re.search(r"<[a-z_]+>", text), (entity, ref, code, text)
            for command in commands(text):
                assert parse_error(command) is None, (entity, ref, code, command)
