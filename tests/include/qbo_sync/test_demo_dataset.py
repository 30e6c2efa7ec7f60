"""The generated demo dataset through the whole pipeline: every good invoice lands with
QuickBooks' totals equal to the app's to the cent, and every planted bad case of the
invoice and customer kinds ends with the outcome the manifest expects, with cause and fix."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from qbo_devkit.demo import setup_tenants
from qbo_devkit.generator.dataset import generate
from qbo_sync.extract.records import RunWindow
from qbo_sync.pipeline import run_once

# Payments, credit notes and payment imports belong to the payments step, not this one.
ENTITIES = {"invoice", "customer"}


@pytest.fixture
def synced_demo(db, qbo_app, qbo_factory):
    manifest = generate(db, seed=7, tenants=3, invoices=160, replace=True)
    db.commit() if not db.autocommit else None
    setup_tenants(db, qbo_app, manifest, qbo_app.app_credentials)
    now = datetime.now(UTC)
    run_once(db, RunWindow("demo-run", now - timedelta(hours=1), now, full_sync=True), qbo_factory)
    return manifest


def test_every_synced_invoice_equals_the_app_to_the_cent(db, synced_demo, qbo_factory):
    synced = db.execute(
        "SELECT l.tenant_id, i.number, i.total, i.tax_total, m.qbo_id FROM qbo_sync.sync_log l"
        " JOIN billing.invoices i ON i.id = l.source_id"
        " JOIN qbo_sync.entity_map m ON m.tenant_id = l.tenant_id AND m.entity = 'invoice'"
        "  AND m.source_id = l.source_id"
        " WHERE l.run_id = 'demo-run' AND l.entity = 'invoice' AND l.status = 'synced'"
    ).fetchall()
    assert len(synced) > 60
    by_tenant: dict[int, list] = {}
    for row in synced:
        by_tenant.setdefault(row[0], []).append(row)
    for tenant_id, rows in by_tenant.items():
        with qbo_factory(tenant_id) as client:
            books = {r["Id"]: r for r in client.query("select * from Invoice")}
        for _, number, total, tax, qbo_id in rows:
            book = books[qbo_id]
            assert book["DocNumber"] == number
            assert D(str(book["TotalAmt"])) == total, number
            assert D(str(book.get("TxnTaxDetail", {}).get("TotalTax", 0))) == tax, number


def test_the_tracking_tenants_invoices_carry_its_class_and_location(db, synced_demo, qbo_factory):
    # Its ordinary invoices name no app location: they go with the tenant's own class and
    # location, set up as the company's people would (qbo_devkit/tracking_setup.py).
    [tenant] = [t for t in synced_demo.tenants if t.quickbooks_setup.tracking]
    tracking = tenant.quickbooks_setup.tracking
    synced = {
        r[0]
        for r in db.execute(
            "SELECT source_ref FROM qbo_sync.sync_log WHERE run_id = 'demo-run' AND tenant_id = %s"
            " AND entity = 'invoice' AND status = 'synced'",
            (tenant.id,),
        )
    }
    with qbo_factory(tenant.id) as client:
        classes = {r["Id"]: r["FullyQualifiedName"] for r in client.query("select * from Class")}
        locations = {r["Id"]: r["Name"] for r in client.query("select * from Department")}
        books = [b for b in client.query("select * from Invoice") if b["DocNumber"] in synced]
    assert len(books) == len(synced) > 20
    for book in books:
        assert classes[book["ClassRef"]["value"]] == tracking["tenant_class"], book["DocNumber"]
        assert locations[book["DepartmentRef"]["value"]] == tracking["tenant_location"], book["DocNumber"]


def test_the_items_tenants_lines_post_to_items_of_their_own(db, synced_demo, qbo_factory):
    # Item policy create, set up as its people would (qbo_devkit/items_setup.py): the item the
    # bookkeeper keeps in QuickBooks is found by its SKU, every other catalog item sold gets a
    # QuickBooks item of its own, created by the sync; the one whose QuickBooks item was made
    # inactive is mapped to nothing (its invoice failed, a planted case).
    [tenant] = [t for t in synced_demo.tenants if t.quickbooks_setup.items]
    quickbooks_items = tenant.quickbooks_setup.items["quickbooks_items"]
    kept = {q["Sku"]: q["Name"] for q in quickbooks_items if q["Active"]}
    [retired] = [q["Sku"] for q in quickbooks_items if q["Active"] is False]
    catalog = {
        r[0]: r[1:]
        for r in db.execute("SELECT id, sku, kind FROM billing.catalog_items WHERE tenant_id = %s", (tenant.id,))
    }
    mapped = {
        r[0]: r[1:]
        for r in db.execute(
            "SELECT catalog_item_id, qbo_item_id, matched_by FROM qbo_sync.item_map WHERE tenant_id = %s", (tenant.id,)
        )
    }
    synced = {
        r[0]
        for r in db.execute(
            "SELECT source_ref FROM qbo_sync.sync_log WHERE run_id = 'demo-run' AND tenant_id = %s"
            " AND entity = 'invoice' AND status = 'synced'",
            (tenant.id,),
        )
    }
    with qbo_factory(tenant.id) as client:
        items = {r["Id"]: r for r in client.query("select * from Item where Active in (true, false)")}
        books = [b for b in client.query("select * from Invoice") if b["DocNumber"] in synced]
    assert len(books) == len(synced) > 20
    skus = {catalog[cid][0] for cid in mapped}
    assert len(mapped) > 3 and set(kept) <= skus and retired not in skus
    for cid, (qbo_id, how) in mapped.items():
        sku, kind = catalog[cid]
        item = items[qbo_id]
        assert item["Sku"] == sku and item["Active"], (sku, item)
        if sku in kept:
            assert (how, item["Name"]) == ("sku", kept[sku])
        else:
            assert (how, item["Type"]) == ("created", "NonInventory" if kind == "product" else "Service"), sku
    used = {
        line["SalesItemLineDetail"]["ItemRef"]["value"]
        for book in books
        for line in book["Line"]
        if line.get("DetailType") == "SalesItemLineDetail"
    }
    assert used <= {qbo_id for qbo_id, _ in mapped.values()} and len(used) > 3  # never a default item


def test_the_foreign_currency_invoice_and_its_payment_sync_in_their_currency(db, synced_demo, qbo_factory):
    # Multicurrency turned on in the company's settings (qbo_devkit/currency_setup.py): the
    # invoice goes to the client's customer in its currency, the payment with it, and the
    # reconciliation of the run agrees with both, compared in that currency.
    [tenant] = [t for t in synced_demo.tenants if t.quickbooks_setup.multicurrency]
    [invoice] = synced_demo.records("foreign_currency_synced", "invoice")
    [payment] = synced_demo.records("foreign_currency_synced", "payment")
    assert invoice.tenant_id == tenant.id
    currency, total = db.execute(
        "SELECT currency, total FROM billing.invoices WHERE id = %s", (invoice.source_id,)
    ).fetchone()
    assert currency != tenant.currency
    qbo_of = dict(
        db.execute(
            "SELECT entity, qbo_id FROM qbo_sync.entity_map WHERE tenant_id = %s"
            " AND ((entity = 'invoice' AND source_id = %s) OR (entity = 'payment' AND source_id = %s))",
            (tenant.id, invoice.source_id, payment.source_id),
        ).fetchall()
    )
    with qbo_factory(tenant.id) as client:
        book = client.read("Invoice", qbo_of["invoice"])
        paid = client.read("Payment", qbo_of["payment"])
        customer = client.read("Customer", book["CustomerRef"]["value"])
    assert book["CurrencyRef"]["value"] == customer["CurrencyRef"]["value"] == currency
    assert D(str(book["TotalAmt"])) == total and D(str(book["Balance"])) == 0
    assert D(str(book["ExchangeRate"])) > 0 and customer["DisplayName"].endswith(f"({currency})")
    assert paid["CurrencyRef"]["value"] == currency and D(str(paid["TotalAmt"])) == total
    assert paid["CustomerRef"]["value"] == customer["Id"]
    verdicts = db.execute(
        "SELECT entity, verdict FROM qbo_sync.reconciliation WHERE run_id = 'demo-run' AND tenant_id = %s"
        " AND ((entity = 'invoice' AND source_id = %s) OR (entity = 'payment' AND source_id = %s)) ORDER BY 1",
        (tenant.id, invoice.source_id, payment.source_id),
    ).fetchall()
    assert verdicts == [("invoice", "agree"), ("payment", "agree")]


def test_every_planted_bad_case_gets_its_outcome_with_cause_and_fix(db, synced_demo):
    outcome = {
        (r[0], r[1], r[2]): r[3:]
        for r in db.execute(
            "SELECT tenant_id, entity, source_id, status, error_code, cause, fix"
            " FROM qbo_sync.sync_log WHERE run_id = 'demo-run'"
        )
    }
    checked = 0
    for record in synced_demo.bad_records:
        if record.entity not in ENTITIES:
            continue
        got = outcome.get((record.tenant_id, record.entity, record.source_id))
        if record.expected == "never_sent":
            assert got is None, record
            continue
        assert got is not None, record
        status, code, cause, fix = got
        assert status == record.expected, (record, got)
        if record.code:
            assert code == record.code, (record, got)
        assert cause or status == "synced", record  # a synced record has nothing to explain
        if status == "failed":
            assert fix, record
        checked += 1
    assert checked >= 20


def test_the_revoked_tenant_holds_its_records_back_and_says_reconnect(db, synced_demo):
    revoked = [t.id for t in synced_demo.tenants if t.revoked]
    assert revoked
    rows = db.execute(
        "SELECT DISTINCT status, error_code FROM qbo_sync.sync_log WHERE run_id = 'demo-run' AND tenant_id = %s",
        (revoked[0],),
    ).fetchall()
    assert rows == [("failed", "reconnect_required")]
    status = db.execute("SELECT status FROM qbo_sync.tenant_connections WHERE tenant_id = %s", (revoked[0],)).fetchone()
    assert status == ("reconnect_required",)


def test_the_refund_of_an_overpayments_credit_goes_back_by_cheque_linked_to_the_payment(db, synced_demo, qbo_factory):
    # The tenant's refund bank account set as a user would (qbo_devkit/refund_setup.py): the
    # refund of part of an overpayment's excess is one Check to the customer, drawn on that
    # account and coded to Accounts Receivable, linked once on the overpayment, whose unapplied
    # credit drops by the refund (docs/operations.md, "Refunds and overpayments").
    [record] = synced_demo.records("refund_of_overpayment_credit", "refund")
    assert record.expected == "synced"
    tenant = synced_demo.tenant(record.tenant_id)
    refund, paid, total, payment_id = db.execute(
        "SELECT r.amount, p.amount, i.total, p.id FROM billing.refunds r JOIN billing.payments p ON p.id = r.payment_id"
        " JOIN billing.invoices i ON i.id = p.invoice_id WHERE r.id = %s",
        (record.source_id,),
    ).fetchone()
    assert paid - total > refund > 0  # part of the excess
    status, note = db.execute(
        "SELECT status, error_message FROM qbo_sync.sync_log WHERE run_id = 'demo-run' AND tenant_id = %s"
        " AND entity = 'refund' AND source_id = %s",
        (tenant.id, record.source_id),
    ).fetchone()
    assert status == "synced" and f"refunded {refund} of customer credit by cheque" in note
    mapped = dict(
        db.execute(
            "SELECT entity, qbo_id FROM qbo_sync.entity_map WHERE tenant_id = %s"
            " AND ((entity IN ('refund', 'refund_check') AND source_id = %s)"
            "  OR (entity = 'payment' AND source_id = %s))",
            (tenant.id, record.source_id, payment_id),
        ).fetchall()
    )
    assert set(mapped) == {"refund_check", "payment"}  # no RefundReceipt
    [bank_id] = db.execute(
        "SELECT refund_bank_account_id FROM qbo_sync.tenant_settings WHERE tenant_id = %s", (tenant.id,)
    ).fetchone()
    with qbo_factory(tenant.id) as client:
        check = client.read("Purchase", mapped["refund_check"])
        payment = client.read("Payment", mapped["payment"])
        bank = client.read("Account", bank_id)
        [line] = check["Line"]
        receivable = client.read("Account", line["AccountBasedExpenseLineDetail"]["AccountRef"]["value"])
        cheques = [
            p
            for p in client.query("select * from Purchase")
            if p.get("PaymentType") == "Check" and p["EntityRef"]["value"] == payment["CustomerRef"]["value"]
        ]
        receipts = [
            r
            for r in client.query("select * from RefundReceipt")
            if r["CustomerRef"]["value"] == payment["CustomerRef"]["value"]
        ]
    assert bank["Name"] == tenant.quickbooks_setup.refund_bank_account and bank["AccountType"] == "Bank"
    assert check["PaymentType"] == "Check" and check["AccountRef"]["value"] == bank_id
    assert check["EntityRef"]["value"] == payment["CustomerRef"]["value"]
    assert D(str(check["TotalAmt"])) == D(str(line["Amount"])) == refund
    assert receivable["AccountType"] == "Accounts Receivable"
    assert [c["Id"] for c in cheques] == [check["Id"]] and receipts == []  # once
    links = [
        (link["TxnId"], D(str(ln["Amount"])))
        for ln in payment["Line"]
        for link in ln.get("LinkedTxn") or []
        if link["TxnType"] == "Check"
    ]
    assert links == [(check["Id"], refund)]
    assert D(str(payment["TotalAmt"])) == paid
    assert D(str(payment["UnappliedAmt"])) == paid - total - refund
