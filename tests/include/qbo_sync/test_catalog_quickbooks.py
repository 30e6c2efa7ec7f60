"""QuickBooks' faults in the catalog's words: every kind of fault the client classifies has
exactly one entry (and no entry lacks a kind), the entry takes the client's category, and
what reaches the sync log for a fault is the entry rendered for that fault and tenant.

The client knows which kind a fault is (tests/include/qbo_client/test_qboclient_faults.py);
what finance reads about it is tested here. Whether every text names QuickBooks things by
name and every command parses is test_catalog_language.py's walk.
"""

from __future__ import annotations

import itertools
import json
import re
import string
from pathlib import Path

import pytest

from qbo_client import QboFault
from qbo_client.codes import BY_KEY as KINDS
from qbo_client.codes import CATEGORIES
from qbo_client.codes import KINDS as ORDERED_KINDS
from qbo_sync import catalog
from qbo_sync.companies.store import RECONNECT_REASON, reconnect_reason
from qbo_sync.outcomes import RunContext, for_tenant, from_fault, outcome_unknown, record

# The seed pages are third-party text, kept out of the repository: their fingerprints stand in
# (python -m qbo_devkit.seeds_fingerprints SEEDS_DIR writes them).
SEEDS = json.loads((Path(__file__).parent / "seeds_fingerprints.json").read_text())
TENANT, REALM = 3, "9130357766271816"


def test_every_kind_has_wording_and_all_wording_has_a_kind():
    kinds, worded = set(KINDS), set(catalog.QUICKBOOKS)
    assert len(kinds) > 50
    assert kinds - worded == set(), "a QuickBooks fault kind without a cause and fix in entries_quickbooks.py"
    assert worded - kinds == set(), "wording for a key qbo_client.codes does not classify"


@pytest.mark.parametrize("key", sorted(KINDS))
def test_quickbooks_entry_is_complete_and_takes_the_clients_category(key):
    entry = catalog.QUICKBOOKS[key]
    assert entry.key == key and entry.title
    assert entry.category == KINDS[key].category and entry.category in CATEGORIES
    assert len(entry.cause) > 20 and len(entry.fix) > 40 and entry.cause != entry.fix
    assert entry.status == "failed"
    # Only what a fault can fill in: the field QuickBooks named, the entity, the code.
    used = {name for text in (entry.cause, entry.fix) for _, name, _, _ in string.Formatter().parse(text) if name}
    assert used <= {"entity", "element", "code"}, used


def _sample_faults():
    """Faults as QuickBooks would send them, a grid wide enough to reach every kind."""
    elements = [
        "",
        "Line",
        "Line.SalesItemLineDetail.ItemRef",
        "Line.SalesItemLineDetail.TaxCodeRef",
        "CustomerRef",
        "ParentRef",
        "DepositToAccountRef",
        "Line.LinkedTxn",
        "PaymentRefNum",
        "DocNumber",
        "requestid",
    ]
    details = [
        "",
        "Required parameter Line is missing in the request.",
        "The tax code is inactive",
        "The name contains a colon",
        "The transaction has been voided",
        "You must set a transaction amount.",
        "The item has no income account",
        "The inventory item's as of date is after the transaction date",
        "Another user has deleted this transaction.",
        "The monthly CorePlus API call limit was reached.",
        "product or service name in use",
        "The currency of the transaction is invalid for customer/vendor/account.",
    ]
    entities = [None, "Invoice", "Payment", "Customer", "Item"]
    codes = sorted({k.code for k in ORDERED_KINDS}) + ["99999", "http_503"]
    for code, element, detail, entity in itertools.product(codes, elements, details, entities):
        status = 503 if code == "http_503" else 429 if code == "3001" else 400
        yield QboFault(code, "QuickBooks message", detail, element, status, "ValidationFault", entity)


def test_every_kind_reaches_the_sync_log_in_the_catalogs_words(db):
    """One fault of each kind, through the path the load takes (outcomes.from_fault, written to
    the real sync_log): the row carries the entry rendered for that fault and tenant."""
    sample = {}
    for fault in _sample_faults():
        sample.setdefault(fault.key, fault)
    assert set(sample) == set(KINDS), f"no sample fault reaches {set(KINDS) - set(sample)}"
    ctx = RunContext("qbo_sync", "catalog-quickbooks", "load_invoices")
    for source_id, (key, fault) in enumerate(sorted(sample.items()), start=1):
        record(
            db,
            ctx,
            from_fault(
                fault,
                tenant_id=TENANT,
                realm_id=REALM,
                entity="invoice",
                source_id=source_id,
                source_ref=key,
                action="create",
            ),
        )
    rows = db.execute(
        "SELECT source_ref, error_code, category, cause, fix, error_message FROM qbo_sync.sync_log"
        " WHERE run_id = 'catalog-quickbooks' ORDER BY source_id"
    ).fetchall()
    assert [r[0] for r in rows] == sorted(sample)
    for key, code, category, cause, fix, message in rows:
        fault = sample[key]
        entry, want_cause, want_fix = catalog.explain_fault(fault)
        assert entry.key == key and code == fault.code and category == KINDS[key].category
        assert (cause, fix) == (for_tenant(want_cause, TENANT, REALM), for_tenant(want_fix, TENANT, REALM))
        assert message == fault.summary()
        for text in (cause, fix):
            assert not re.search(r"<[a-z_]+>|\{[a-z_]+\}", text.replace("{sequence}", "")), (key, text)
        if fault.element and "{element}" in entry.cause:
            assert fault.element in cause
        if fault.entity_name and "{entity}" in entry.cause:
            assert fault.entity_name in cause


def test_faults_without_a_fault_at_hand_use_the_same_words(db):
    """A lost answer and a revoked company are logged without a QuickBooks fault: the same
    entries, rendered with the entry's defaults."""
    ctx = RunContext("qbo_sync", "catalog-quickbooks-lost", "load_invoices")
    outcome_unknown(
        db, ctx, tenant_id=TENANT, realm_id=REALM, entity="invoice", source_id=1, source_ref="INV-1", amount=None
    )
    row = db.execute(
        "SELECT error_code, category, cause, fix FROM qbo_sync.sync_log WHERE run_id = 'catalog-quickbooks-lost'"
    ).fetchone()
    entry, cause, fix = catalog.explain_quickbooks("outcome_unknown")
    assert row == ("outcome_unknown", "transient", cause, fix)
    assert "record was sent to QuickBooks" in cause  # {entity} without a fault: "record"
    assert RECONNECT_REASON == catalog.explain_quickbooks("invalid_grant")[2]
    reason = reconnect_reason(TENANT, REALM)
    assert f"--tenant-id {TENANT}" in reason and f"--realm-id {REALM}" in reason and "<" not in reason


def test_what_finance_reads_for_the_faults_the_client_tests_raise():
    """The words behind the client's own tests (moved here with the wording)."""

    def fix_of(fault: QboFault) -> str:
        return catalog.explain_fault(fault)[2]

    assert "python -m qbo_sync.companies authorize" in fix_of(QboFault("invalid_grant", http_status=400))
    invalid_client = fix_of(QboFault("invalid_client", http_status=401))
    assert "quickbooks_default" in invalid_client and "client secret" in invalid_client
    blocked = QboFault("3001", detail="The monthly CorePlus API call limit of this app was reached.", http_status=429)
    _, cause, fix = catalog.explain_fault(blocked)
    assert "CorePlus" in cause and "next month" in fix and "read_blocks --clear" in fix
    assert "first and last name" in fix_of(QboFault("6080", entity_name="Customer"))
    _, cause, fix = catalog.explain_fault(QboFault("99999", "Something new", http_status=400, entity_name="Invoice"))
    assert "99999" in cause and "Invoice" in cause and fix
    # A fault of several errors: each has its own entry.
    first = QboFault(
        "2500",
        element="Line.SalesItemLineDetail.ItemRef",
        entity_name="Invoice",
        more=(QboFault("6000", detail="Make sure all your transactions have a GST rate", entity_name="Invoice"),),
    )
    assert [catalog.explain_fault(e)[0].key for e in first.errors] == ["2500.item", "6000.tax"]


def test_every_seeds_error_has_a_specific_catalog_entry(capsys):
    """Walks the seeds' QuickBooks errors and shows each one's entry (run with -s to read it)."""
    from qbo_devkit.seeds_fingerprints import digest, error_probe, normalise

    quoted, seed_sentences = set(SEEDS["error_probes"]), set(SEEDS["sentences"])
    project_words = ("qbo_sync.", "python -m qbo_sync", "qbo_resync", "sync", "quickbooks")
    for name, key in catalog.SEEDS_ERRORS.items():
        entry = catalog.QUICKBOOKS[key]
        kind = KINDS[key]
        # Named errors are quoted verbatim from the pages; Workiz's lost names are described.
        if "(" not in name:
            assert digest(error_probe(name)) in quoted, f"{name!r} is not in the seeds"
        assert entry.category in CATEGORIES
        assert isinstance(kind.retryable, bool)
        assert entry.cause and entry.fix and entry.cause != entry.fix
        assert any(word in entry.fix for word in project_words), key
        # Our own words: no sentence copied from the seeds.
        for sentence in re.split(r"(?<=[.!?]) ", normalise(entry.fix)):
            if len(sentence) > 40:
                assert digest(sentence) not in seed_sentences, f"{key} copies the seeds: {sentence!r}"
        _, cause, fix = catalog.explain_quickbooks(key)
        print(
            f"\n[{name}] -> {entry.key} ({entry.category}, retryable={kind.retryable})\n"
            f"  cause: {cause}\n  fix:   {fix}"
        )
    # The QuickBooks errors every seed page names are all covered.
    covered = set(catalog.SEEDS_ERRORS)
    for must in (
        "Create failed: Required param missing",
        "Invalid refresh token",
        "Duplicate document number",
        "Business validation error (tax)",
        "The name supplied already exists",
        "No fee item mapped for line item",
        "Payment Ref#: Already exists for Customer",
        "Unauthorized - 401",
        "'<' is an invalid start of a value",
        "Rate limited",
        "SKU Not Found Error",
        "Tax code not found",
        "Invoice: Already exists for Customer",
    ):
        assert must in covered, must
    assert len(covered) >= 35
    assert not covered & set(catalog.SEEDS_NOT_FROM_QUICKBOOKS)
    out = capsys.readouterr().out
    assert out.count("cause:") == len(covered)
