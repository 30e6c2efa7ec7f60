"""Every bad case the manifest names is in the data, and detectable by a direct SQL check;
with bad_cases='none' none of them is."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

import pytest
from demo_helpers import expected_line, expected_totals, ids, rows

from qbo_devkit.generator import BAD_CASES, CASES, EXPECTED, Manifest, display_name


def _invoices(m: Manifest, case: str) -> list[int]:
    return sorted(r.source_id for r in m.records(case, "invoice"))


def _customers(m: Manifest, case: str) -> list[int]:
    return sorted(r.source_id for r in m.records(case, "customer"))


def _only_tenant(m: Manifest, case: str) -> int:
    tenants = {r.tenant_id for r in m.records(case)}
    assert len(tenants) == 1, (case, tenants)
    return tenants.pop()


def _by_id(db, name: str) -> dict[int, dict]:
    return {r["id"]: r for r in rows(db, name)}


def _lines_of(db, invoice_id: int) -> list[dict]:
    return [line for line in rows(db, "devkit/generator/checks/invoice_lines") if line["invoice_id"] == invoice_id]


def _display(m: Manifest, db, client_id: int) -> str:
    client = _by_id(db, "devkit/generator/checks/clients")[client_id]
    tenant = m.tenant(client["tenant_id"])
    return display_name(
        tenant.display_name_template, client_id, client["first_name"], client["last_name"], client["company_name"]
    )


def check_no_line_items(m, db):
    found = _invoices(m, "no_line_items")
    assert len(found) == 2
    assert set(found) <= set(ids(db, "devkit/generator/checks/finalized_without_lines"))


def _historical(m, db, case):
    tenant = m.tenant(_only_tenant(m, case))
    found = _invoices(m, case)
    before = ids(
        db,
        "devkit/generator/checks/finalized_before",
        {"tenant_id": tenant.id, "moment": datetime.fromisoformat(tenant.connected_at)},
    )
    assert found and set(found) <= set(before)
    assert all(r.expected == "skipped" for r in m.records(case))
    return found


def check_historical_invoice(m, db):
    found = _historical(m, db, "historical_invoice")
    assert len(found) == 2
    # one was edited after connecting, so an incremental run meets it ("Update failed")
    invoices = _by_id(db, "devkit/generator/checks/invoices")
    connected = datetime.fromisoformat(m.tenant(_only_tenant(m, "historical_invoice")).connected_at)
    assert any(invoices[i]["updated_at"] > connected for i in found)


def check_duplicate_number_in_quickbooks(m, db):
    tenant = m.tenant(_only_tenant(m, "duplicate_number_in_quickbooks"))
    [invoice_id] = _invoices(m, "duplicate_number_in_quickbooks")
    number = _by_id(db, "devkit/generator/checks/invoices")[invoice_id]["number"]
    pre = [i for i in tenant.quickbooks_setup.invoices if i["DocNumber"] == number]
    assert len(pre) == 1
    assert pre[0]["CustomerDisplayName"] in {c["DisplayName"] for c in tenant.quickbooks_setup.customers}


def check_duplicate_number_in_batch(m, db):
    found = _invoices(m, "duplicate_number_in_batch")
    dupes = [row["ids"] for row in rows(db, "devkit/generator/checks/duplicate_invoice_numbers")]
    assert sorted(found) in dupes


def check_number_too_long(m, db):
    found = _invoices(m, "number_too_long")
    assert found and set(found) <= set(ids(db, "devkit/generator/checks/long_invoice_numbers"))
    assert all(len(r.source_ref) > 21 for r in m.records("number_too_long"))


def check_missing_number(m, db):
    found = _invoices(m, "missing_number")
    assert found and set(found) <= set(ids(db, "devkit/generator/checks/missing_invoice_numbers"))


def check_tax_rate_not_mapped(m, db):
    tenant = m.tenant(_only_tenant(m, "tax_rate_not_mapped"))
    unmapped = [
        r["name"]
        for r in rows(db, "devkit/generator/checks/tax_rates")
        if r["tenant_id"] == tenant.id and r["name"] not in tenant.tax_code_map
    ]
    assert len(unmapped) == 1
    using = ids(db, "devkit/generator/checks/invoices_using_tax_rates", {"tenant_id": tenant.id, "names": unmapped})
    assert using == _invoices(m, "tax_rate_not_mapped") and len(using) == 2


def check_tax_code_inactive(m, db):
    tenant = m.tenant(_only_tenant(m, "tax_code_inactive"))
    inactive = tenant.quickbooks_setup.inactive_tax_codes
    assert inactive
    names = [name for name, code in tenant.tax_code_map.items() if code in inactive]
    using = ids(db, "devkit/generator/checks/invoices_using_tax_rates", {"tenant_id": tenant.id, "names": names})
    assert using == _invoices(m, "tax_code_inactive") and len(using) == 2


def _client_case(m, db, case):
    customers = _customers(m, case)
    invoices = _by_id(db, "devkit/generator/checks/invoices")
    client_of = {invoices[i]["client_id"] for i in _invoices(m, case)}
    assert customers and client_of <= set(customers)
    return customers


def check_client_without_name(m, db):
    customers = _client_case(m, db, "client_without_name")
    assert set(customers) <= set(ids(db, "devkit/generator/checks/unnamed_clients"))


def check_name_clash_vendor(m, db):
    tenant = m.tenant(_only_tenant(m, "name_clash_vendor"))
    [client] = _client_case(m, db, "name_clash_vendor")
    assert _display(m, db, client) in {v["DisplayName"] for v in tenant.quickbooks_setup.vendors}


def check_name_clash_employee(m, db):
    tenant = m.tenant(_only_tenant(m, "name_clash_employee"))
    [client] = _client_case(m, db, "name_clash_employee")
    assert _display(m, db, client) in {e["DisplayName"] for e in tenant.quickbooks_setup.employees}


def check_same_name_clients(m, db):
    tenant = m.tenant(_only_tenant(m, "same_name_clients"))
    assert tenant.display_name_template == "{name}"
    first, second = _client_case(m, db, "same_name_clients")
    assert first != second and _display(m, db, first) == _display(m, db, second)


def check_client_inactive_in_quickbooks(m, db):
    tenant = m.tenant(_only_tenant(m, "client_inactive_in_quickbooks"))
    [client] = _client_case(m, db, "client_inactive_in_quickbooks")
    inactive = {c["DisplayName"] for c in tenant.quickbooks_setup.customers if c["Active"] is False}
    assert _display(m, db, client) in inactive


def check_parent_client_not_synced(m, db):
    clients = _by_id(db, "devkit/generator/checks/clients")
    customers = _client_case(m, db, "parent_client_not_synced")
    children = [c for c in customers if clients[c]["parent_client_id"]]
    assert len(children) == 1
    parent = clients[children[0]]["parent_client_id"]
    assert parent in customers and parent in ids(db, "devkit/generator/checks/unnamed_clients")


def check_amounts_do_not_add_up(m, db):
    rates = {r["id"]: r["rate"] for r in rows(db, "devkit/generator/checks/tax_rates")}
    invoices = _by_id(db, "devkit/generator/checks/invoices")
    found = _invoices(m, "amounts_do_not_add_up")
    assert len(found) == 2
    for invoice_id in found:
        inv = invoices[invoice_id]
        expected = expected_totals(inv["tax_mode"], _lines_of(db, invoice_id), rates)
        stored = (inv["subtotal"], inv["tax_total"], inv["total"])
        assert stored != expected
        assert max(abs(a - b) for a, b in zip(stored, expected, strict=False)) <= Decimal("0.05")


def check_closed_period(m, db):
    tenant = m.tenant(_only_tenant(m, "closed_period"))
    assert tenant.closed_books_date
    dated = ids(
        db,
        "devkit/generator/checks/dated_on_or_before",
        {"tenant_id": tenant.id, "day": date.fromisoformat(tenant.closed_books_date)},
    )
    assert dated == _invoices(m, "closed_period") and len(dated) == 2
    connected = datetime.fromisoformat(tenant.connected_at)
    assert not set(dated) & set(
        ids(db, "devkit/generator/checks/finalized_before", {"tenant_id": tenant.id, "moment": connected})
    )


def check_default_item_inactive(m, db):
    tenant = m.tenant(_only_tenant(m, "default_item_inactive"))
    assert tenant.default_items["product"] in tenant.quickbooks_setup.inactive_items
    with_products = ids(db, "devkit/generator/checks/invoices_with_product_lines", {"tenant_id": tenant.id})
    assert with_products == _invoices(m, "default_item_inactive") and len(with_products) == 2


def check_voided_before_sync(m, db):
    invoices = _by_id(db, "devkit/generator/checks/invoices")
    found = _invoices(m, "voided_before_sync")
    for invoice_id in found:
        inv = invoices[invoice_id]
        connected = datetime.fromisoformat(m.tenant(inv["tenant_id"]).connected_at)
        assert inv["status"] == "voided" and inv["voided_at"] and inv["finalized_at"] > connected
    payments = _by_id(db, "devkit/generator/checks/payments")
    assert all(payments[r.source_id]["voided_at"] for r in m.records("voided_before_sync", "payment"))
    assert all(r.expected == "never_sent" for r in m.records("voided_before_sync"))


def check_draft_invoice(m, db):
    invoices = _by_id(db, "devkit/generator/checks/invoices")
    [found] = _invoices(m, "draft_invoice")
    assert invoices[found]["status"] == "draft" and invoices[found]["finalized_at"] is None


def check_origin_quickbooks(m, db):
    invoices = _by_id(db, "devkit/generator/checks/invoices")
    [found] = _invoices(m, "origin_quickbooks")
    assert invoices[found]["origin"] == "quickbooks" and invoices[found]["status"] == "finalized"


def check_payment_reference_too_long(m, db):
    found = [r.source_id for r in m.records("payment_reference_too_long", "payment")]
    assert found and set(found) <= set(ids(db, "devkit/generator/checks/long_payment_references"))


def check_payment_for_unsynced_invoice(m, db):
    [historical] = _historical(m, db, "payment_for_unsynced_invoice")
    payments = _by_id(db, "devkit/generator/checks/payments")
    [payment] = [r.source_id for r in m.records("payment_for_unsynced_invoice", "payment")]
    assert payments[payment]["invoice_id"] == historical
    connected = datetime.fromisoformat(m.tenant(payments[payment]["tenant_id"]).connected_at)
    assert payments[payment]["paid_at"] > connected


def check_payment_already_in_quickbooks(m, db):
    tenant = m.tenant(_only_tenant(m, "payment_already_in_quickbooks"))
    payments = _by_id(db, "devkit/generator/checks/payments")
    [record] = m.records("payment_already_in_quickbooks", "payment_import")
    [payment] = [p for p in payments.values() if p["invoice_id"] == record.source_id]
    invoice = _by_id(db, "devkit/generator/checks/invoices")[payment["invoice_id"]]
    [pre] = [p for p in tenant.quickbooks_setup.payments if p["PaymentRefNum"] == payment["reference"]]
    assert pre["invoice_source_id"] == invoice["id"] and pre["invoice_doc_number"] == invoice["number"]
    assert pre["CustomerDisplayName"] == _display(m, db, invoice["client_id"])
    assert Decimal(pre["TotalAmt"]) == payment["amount"]


def check_credit_note_for_unsynced_invoice(m, db):
    [historical] = _historical(m, db, "credit_note_for_unsynced_invoice")
    notes = _by_id(db, "devkit/generator/checks/credit_notes")
    found = [notes[r.source_id] for r in m.records("credit_note_for_unsynced_invoice", "credit_memo")]
    assert found and all(n["invoice_id"] == historical and n["status"] == "finalized" for n in found)


def check_revoked_connection(m, db):
    revoked = [t for t in m.tenants if t.revoked]
    assert len(revoked) == 1
    assert [r.source_id for r in m.records("revoked_connection")] == [revoked[0].id]
    assert any(i["tenant_id"] == revoked[0].id for i in rows(db, "devkit/generator/checks/invoices"))


def check_unsupported_payment_type(m, db):
    tenant = m.tenant(_only_tenant(m, "unsupported_payment_type"))
    [record] = m.records("unsupported_payment_type")
    [pre] = [p for p in tenant.quickbooks_setup.payments if p["PaymentMethod"] == "Gift card"]
    invoice = _by_id(db, "devkit/generator/checks/invoices")[record.source_id]
    assert pre["invoice_source_id"] == invoice["id"] and invoice["status"] == "finalized"
    assert Decimal(pre["TotalAmt"]) == invoice["total"]
    assert not [p for p in rows(db, "devkit/generator/checks/payments") if p["invoice_id"] == invoice["id"]]


def check_client_missing(m, db):
    found = _invoices(m, "client_missing")
    assert found and set(found) <= set(ids(db, "devkit/generator/checks/invoices_without_client"))


def check_email_too_long(m, db):
    customers = _client_case(m, db, "email_too_long")
    assert set(customers) <= set(ids(db, "devkit/generator/checks/long_client_emails"))


def check_line_amount_mismatch(m, db):
    [found] = _invoices(m, "line_amount_mismatch")
    assert any(line["amount"] != expected_line(line) for line in _lines_of(db, found))


def check_unknown_tax_mode(m, db):
    found = _invoices(m, "unknown_tax_mode")
    assert found and set(found) <= set(ids(db, "devkit/generator/checks/unknown_tax_modes"))


def check_currency_needs_multicurrency(m, db):
    found = _invoices(m, "currency_needs_multicurrency")
    synced = _invoices(m, "foreign_currency_synced")  # the other foreign-currency invoice (multicurrency on)
    assert found and set(found) | set(synced) == set(ids(db, "devkit/generator/checks/foreign_currency_invoices"))
    assert not m.tenant(_only_tenant(m, "currency_needs_multicurrency")).quickbooks_setup.multicurrency


def check_foreign_currency_synced(m, db):
    tenant = m.tenant(_only_tenant(m, "foreign_currency_synced"))
    assert tenant.quickbooks_setup.multicurrency
    [invoice_id] = _invoices(m, "foreign_currency_synced")
    assert invoice_id in ids(db, "devkit/generator/checks/foreign_currency_invoices")
    invoice = _by_id(db, "devkit/generator/checks/invoices")[invoice_id]
    [record] = m.records("foreign_currency_synced", "payment")
    payment = _by_id(db, "devkit/generator/checks/payments")[record.source_id]
    assert payment["invoice_id"] == invoice_id and payment["amount"] == invoice["total"] > 0
    assert payment["voided_at"] is None and payment["reference"] == record.source_ref
    assert {r.expected for r in m.records("foreign_currency_synced")} == {"synced"}


def _located(m, db, case):
    """The case's invoice, its app location, and its tenant's tracking setup (switches on)."""
    tenant = m.tenant(_only_tenant(m, case))
    [invoice_id] = _invoices(m, case)
    located = {r["id"]: r["location"] for r in rows(db, "devkit/generator/checks/invoice_locations")}
    tracking = tenant.quickbooks_setup.tracking
    assert tracking["class_tracking"] != "off" and tracking["track_locations"]
    assert tracking["tenant_class"] in tracking["classes"] and tracking["tenant_location"] in tracking["locations"]
    links = {link["app_location"].casefold(): link for link in tracking["links"]}
    assert links and all(link["class"] in tracking["classes"] for link in links.values())
    return located[invoice_id], links, tracking


def check_location_not_linked(m, db):
    location, links, _tracking = _located(m, db, "location_not_linked")
    assert location and location.casefold() not in links


def check_class_inactive(m, db):
    location, links, tracking = _located(m, db, "class_inactive")
    assert links[location.casefold()]["class"] in tracking["inactive_classes"]


def _items_tenant(m, db, case):
    """The case's invoice, its lines' catalog items, and its tenant's items setup (policy create)."""
    tenant = m.tenant(_only_tenant(m, case))
    items = tenant.quickbooks_setup.items
    assert items["policy"] == "create" and items["service_income_account"] and items["product_income_account"]
    assert not tenant.quickbooks_setup.inactive_items  # its default items stay as they are
    [invoice_id] = _invoices(m, case)
    catalog = {r["id"]: r for r in rows(db, "devkit/generator/checks/catalog_items") if r["tenant_id"] == tenant.id}
    sold = [catalog[line["item_id"]] for line in _lines_of(db, invoice_id)]
    return tenant, items, catalog, sold


def check_catalog_items_posted(m, db):
    tenant, items, catalog, sold = _items_tenant(m, db, "catalog_items_posted")
    kinds = {c["kind"] for c in catalog.values()}
    assert {c["kind"] for c in sold} == kinds  # a service line, and a product line if it sells any
    # The bookkeeper's item for one catalog item carries its SKU under another name (found by SKU).
    by_sku = {c["sku"]: c for c in catalog.values()}
    kept = [q for q in items["quickbooks_items"] if q["Active"]]
    assert kept and all(q["Sku"] in by_sku and q["Name"] != by_sku[q["Sku"]]["name"] for q in kept)


def check_item_inactive_in_quickbooks(m, db):
    tenant, items, catalog, sold = _items_tenant(m, db, "item_inactive_in_quickbooks")
    [retired] = [q for q in items["quickbooks_items"] if q["Active"] is False]
    [own] = [c for c in catalog.values() if c["sku"] == retired["Sku"]]
    assert own["active"] and own in sold
    # A catalog item of its own: no other invoice sells it, and it has the highest id.
    lines = rows(db, "devkit/generator/checks/invoice_lines")
    assert {line["invoice_id"] for line in lines if line["item_id"] == own["id"]} == {
        r.source_id for r in m.records("item_inactive_in_quickbooks")
    }
    assert own["id"] == max(r["id"] for r in rows(db, "devkit/generator/checks/catalog_items"))


def _refund(m, db, case):
    [record] = m.records(case, "refund")
    refund = _by_id(db, "devkit/generator/checks/refunds")[record.source_id]
    assert refund["reference"] == record.source_ref and refund["tenant_id"] == record.tenant_id
    return refund


def check_refund_of_payment(m, db):
    refund = _refund(m, db, "refund_of_payment")
    assert 0 < refund["amount"] < refund["payment_amount"] and refund["voided_at"] is None


def check_refund_exceeds_payment(m, db):
    refund = _refund(m, db, "refund_exceeds_payment")
    assert refund["amount"] > refund["payment_amount"]


def check_refund_voided_before_sync(m, db):
    refund = _refund(m, db, "refund_voided_before_sync")
    assert refund["voided_at"] is not None and refund["voided_at"] > refund["created_at"]


def check_overpayment(m, db):
    [record] = m.records("overpayment", "payment")
    payment = _by_id(db, "devkit/generator/checks/payments")[record.source_id]
    assert payment["invoice_id"] in ids(db, "devkit/generator/checks/overpaid_invoices")


def check_refund_of_overpayment_credit(m, db):
    # Part of an overpayment's excess refunded, in a tenant whose refund bank account is set.
    [invoice] = m.records("refund_of_overpayment_credit", "invoice")
    refund = _refund(m, db, "refund_of_overpayment_credit")
    total = _by_id(db, "devkit/generator/checks/invoices")[invoice.source_id]["total"]
    assert refund["invoice_id"] == invoice.source_id and refund["voided_at"] is None
    assert 0 < refund["amount"] < refund["payment_amount"] - total
    assert refund["invoice_id"] in ids(db, "devkit/generator/checks/overpaid_invoices")
    assert m.tenant(refund["tenant_id"]).quickbooks_setup.refund_bank_account == "Business Bank Account"


CHECKS: dict[str, Callable[[Manifest, object], None]] = {
    name[len("check_") :]: fn for name, fn in globals().items() if name.startswith("check_")
}


def test_every_bad_case_has_a_check():
    assert set(CHECKS) == set(BAD_CASES)


def test_the_case_table_gives_each_case_its_functions():
    # One entry per name; a case that takes invoice slots rewrites them with its own
    # function (only revoked_connection, an extra tenant, takes none).
    assert len({case.name for case in CASES}) == len(CASES) == len(BAD_CASES)
    for case in CASES:
        assert callable(case.apply) == (case.slots > 0), case.name
        assert case.prefer and all(
            p in ("AU", "UK", "US", "@name", "@default", "@services_only", "*") for p in case.prefer
        ), case.name
        assert set(case.avoid) <= set(BAD_CASES[: BAD_CASES.index(case.name)]), case.name  # placed before it


@pytest.fixture
def all_cases(make):
    return make(bad_cases="all")


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_case_is_in_the_data(all_cases, db, case):
    assert case in all_cases.bad_cases and case not in all_cases.unplaced_cases
    assert all_cases.records(case), f"{case}: no record in the manifest"
    CHECKS[case](all_cases, db)


def test_bad_records_are_well_formed(all_cases):
    seen = set()
    for record in all_cases.bad_records:
        assert record.expected in EXPECTED
        assert record.entity in ("invoice", "customer", "credit_memo", "payment", "payment_import", "refund", "tenant")
        key = (record.case, record.entity, record.source_id)
        assert key not in seen
        seen.add(key)
    assert {r.case for r in all_cases.bad_records} == set(BAD_CASES)


def test_a_subset_of_cases_gives_only_those(make):
    manifest = make(bad_cases="no_line_items,client_missing")
    assert {r.case for r in manifest.bad_records} == {"no_line_items", "client_missing"}
    assert not any(t.revoked for t in manifest.tenants)


def test_either_tracking_case_alone_sets_up_what_it_needs(make, db):
    for case, inactive in (("location_not_linked", []), ("class_inactive", ["Clinics:Manly"])):
        manifest = make(bad_cases=case)
        [tenant] = [t for t in manifest.tenants if t.quickbooks_setup.tracking]
        assert tenant.quickbooks_setup.tracking["inactive_classes"] == inactive
        CHECKS[case](manifest, db)


def test_either_item_case_alone_sets_up_what_it_needs(make, db):
    for case, retired in (("catalog_items_posted", 0), ("item_inactive_in_quickbooks", 1)):
        manifest = make(bad_cases=case)
        [tenant] = [t for t in manifest.tenants if t.quickbooks_setup.items]
        quickbooks_items = tenant.quickbooks_setup.items["quickbooks_items"]
        assert sum(1 for q in quickbooks_items if q["Active"] is False) == retired
        CHECKS[case](manifest, db)


def test_settings_cases_keep_off_the_tenants_they_would_change(make):
    # Multicurrency on would sync currency_needs_multicurrency's invoice; an item policy would
    # move default_item_inactive's product lines off the default Product item. Also with five
    # tenants, where '*' could pick any.
    items_cases = ("catalog_items_posted", "item_inactive_in_quickbooks")
    for tenants in (3, 5):
        manifest = make(tenants=tenants, invoices=150 * tenants)
        home = {case: _only_tenant(manifest, case) for case in manifest.bad_cases if manifest.records(case)}
        assert home["foreign_currency_synced"] != home["currency_needs_multicurrency"]
        assert [t.id for t in manifest.tenants if t.quickbooks_setup.multicurrency] == [home["foreign_currency_synced"]]
        assert all(home[case] != home["default_item_inactive"] for case in items_cases)
        with_items = {t.id for t in manifest.tenants if t.quickbooks_setup.items}
        assert with_items == {home[case] for case in items_cases}


def test_cases_with_a_stream_of_their_own_leave_the_other_cases_data_as_it_was(make, db):
    own = [case.name for case in CASES if case.own_stream]
    assert own
    without = make(bad_cases=[name for name in BAD_CASES if name not in own])
    before = {r["id"]: r for r in rows(db, "devkit/generator/checks/invoices")}
    with_them = make(bad_cases="all")
    after = {r["id"]: r for r in rows(db, "devkit/generator/checks/invoices")}
    theirs = {r.source_id for r in with_them.bad_records if r.case in own and r.entity == "invoice"}
    assert len(theirs) == len(own) and before.keys() == after.keys()
    assert {k: v for k, v in after.items() if k not in theirs} == {k: v for k, v in before.items() if k not in theirs}

    def others(manifest):  # every other case's records (a payment's id may move, its reference not)
        return [(r.case, r.entity, r.source_ref, r.expected, r.code) for r in manifest.bad_records if r.case not in own]

    assert others(with_them) == others(without)
    assert [t.quickbooks_setup.customers for t in with_them.tenants] == [
        t.quickbooks_setup.customers for t in without.tenants
    ]


def test_no_bad_case_when_switched_off(make, db):
    manifest = make(bad_cases="none", invoices=600)
    assert manifest.bad_records == [] and manifest.bad_cases == []
    for tenant in manifest.tenants:
        assert not tenant.revoked and tenant.closed_books_date is None
        setup = tenant.quickbooks_setup
        assert not (
            setup.vendors
            or setup.employees
            or setup.customers
            or setup.invoices
            or setup.payments
            or setup.inactive_tax_codes
            or setup.inactive_items
            or setup.tracking
            or setup.items
            or setup.multicurrency
        )
    for check in (
        "finalized_without_lines",
        "long_invoice_numbers",
        "missing_invoice_numbers",
        "unnamed_clients",
        "long_client_emails",
        "long_payment_references",
        "invoices_without_client",
        "unknown_tax_modes",
        "overpaid_invoices",
        "duplicate_invoice_numbers",
        "invoice_locations",
    ):
        assert rows(db, f"devkit/generator/checks/{check}") == [], check
    rates = rows(db, "devkit/generator/checks/tax_rates")
    invoices = rows(db, "devkit/generator/checks/invoices")
    for tenant in manifest.tenants:
        names = {r["name"] for r in rates if r["tenant_id"] == tenant.id}
        assert names == set(tenant.tax_code_map)  # every rate mapped
        connected = datetime.fromisoformat(tenant.connected_at)
        assert ids(db, "devkit/generator/checks/finalized_before", {"tenant_id": tenant.id, "moment": connected}) == []
        if tenant.region == "UK":  # the services-only tenant
            assert ids(db, "devkit/generator/checks/invoices_with_product_lines", {"tenant_id": tenant.id}) == []
    rate_of = {r["id"]: r["rate"] for r in rates}
    lines: dict[int, list] = {}
    for line in rows(db, "devkit/generator/checks/invoice_lines"):
        lines.setdefault(line["invoice_id"], []).append(line)
    finalized = [i for i in invoices if i["status"] == "finalized" and i["origin"] == "app"]
    assert len(finalized) > 500
    for inv in finalized:
        assert all(line["amount"] == expected_line(line) for line in lines[inv["id"]])
        assert (inv["subtotal"], inv["tax_total"], inv["total"]) == expected_totals(
            inv["tax_mode"], lines[inv["id"]], rate_of
        )
