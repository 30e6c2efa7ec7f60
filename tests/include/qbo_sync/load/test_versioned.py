"""An invoice edited in the app after it synced (lines, client, date) updates the same
QuickBooks invoice with the SyncToken recorded at the sync's write; when a payment applied
since has moved that token on, QuickBooks answers 5010 and the invoice is read once and sent
once more (load/versioned.py, load/loader.py). Real PostgreSQL, real HTTP to the emulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

from qbo_sync.load.versioned import carries_payment, carries_sales, is_voided
from qbo_sync.pipeline import run_once
from support.runs import full_window, logged
from support.small_tenant import small_tenant

PAID = datetime.now(UTC) - timedelta(hours=3)


def qbo_id(db, entity: str, source_id: int) -> str:
    return db.execute(
        "SELECT qbo_id FROM qbo_sync.entity_map WHERE tenant_id = 1 AND entity = %s AND source_id = %s",
        (entity, source_id),
    ).fetchone()[0]


def test_an_invoice_edited_after_a_payment_is_updated_after_one_read(db, qbo_app, qbo_factory):
    company = small_tenant(db, qbo_app, 1, {1: None})
    run_once(db, full_window("r1"), qbo_factory)
    invoice = qbo_id(db, "invoice", 101)
    recorded = db.execute("SELECT sync_token FROM qbo_sync.entity_map WHERE entity = 'invoice'").fetchone()[0]
    with qbo_factory(1) as qbo:  # a payment keyed in QuickBooks moves the invoice's SyncToken on
        customer = qbo.read("Invoice", invoice)["CustomerRef"]
        qbo.create(
            "Payment",
            {
                "CustomerRef": customer,
                "TotalAmt": D("50.00"),
                "Line": [{"Amount": D("50.00"), "LinkedTxn": [{"TxnId": invoice, "TxnType": "Invoice"}]}],
            },
        )
        assert qbo.read("Invoice", invoice)["SyncToken"] != recorded
    # Two check-ups instead of one, dated a day earlier.
    db.execute("UPDATE billing.invoice_lines SET quantity = 2, amount = 200.00 WHERE invoice_id = 101")
    db.execute(
        "UPDATE billing.invoices SET subtotal = 200.00, tax_total = 20.00, total = 220.00, "
        "issue_date = issue_date - 1, updated_at = now() WHERE id = 101"
    )
    before = len(qbo_app.requests_log(company["realm_id"]))
    run_once(db, full_window("r2"), qbo_factory)
    assert logged(db, "r2", "invoice", 101, "action", "status") == ("update", "synced")
    reads = [r for r in qbo_app.requests_log(company["realm_id"])[before:] if r["path"].endswith(f"/invoice/{invoice}")]
    assert len(reads) == 1  # read once, after QuickBooks called the recorded token stale
    with qbo_factory(1) as qbo:
        fresh = qbo.read("Invoice", invoice)
        assert D(str(fresh["TotalAmt"])) == D("220.00") and D(str(fresh["Balance"])) == D("170.00")
        issued = db.execute("SELECT issue_date FROM billing.invoices WHERE id = 101").fetchone()[0]
        assert fresh["TxnDate"] == issued.isoformat()
        assert len(qbo.query("select * from Invoice")) == 1
    assert db.execute(
        "SELECT array_agg(action ORDER BY id) FROM qbo_sync.sync_log WHERE entity = 'invoice' AND source_id = 101"
    ).fetchone()[0] == ["create", "update"]


def test_an_invoice_moved_to_another_client_changes_customer_in_quickbooks(db, qbo_app, qbo_factory):
    small_tenant(db, qbo_app, 1, {1: None, 2: None})
    run_once(db, full_window("r1"), qbo_factory)
    invoice = qbo_id(db, "invoice", 101)
    db.execute("UPDATE billing.invoices SET client_id = 102, updated_at = now() WHERE id = 101")
    run_once(db, full_window("r2"), qbo_factory)
    assert logged(db, "r2", "invoice", 101, "action", "status") == ("update", "synced")
    with qbo_factory(1) as qbo:
        assert qbo.read("Invoice", invoice)["CustomerRef"]["value"] == qbo_id(db, "customer", 102)


def test_what_a_record_carries_is_compared_on_what_the_sync_sets():
    body = {
        "CustomerRef": {"value": "7"},
        "TxnDate": "2026-11-02",
        "DocNumber": "INV-1",
        "Line": [
            {
                "DetailType": "SalesItemLineDetail",
                "Amount": D("100.00"),
                "Description": "Check-up",
                "SalesItemLineDetail": {"ItemRef": {"value": "1"}, "TaxCodeRef": {"value": "4"}},
            }
        ],
        "TxnTaxDetail": {"TotalTax": D("10.00")},
    }
    stored = {
        **body,
        "Id": "58",
        "SyncToken": "3",
        "CustomerRef": {"value": "7", "name": "Jane Smith (00101)"},
        "Line": [
            {**body["Line"][0], "Id": "1", "LineNum": 1, "Amount": 100.0},
            {"Amount": 100.0, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}},
        ],
        "TxnTaxDetail": {"TotalTax": 10.0, "TaxLine": []},
        "PrivateNote": "checked by Ann",  # a field the sync does not set
    }
    assert carries_sales(body)(stored)
    assert not carries_sales(body)({**stored, "TxnDate": "2026-11-01"})
    assert not carries_sales(body)({**stored, "TxnTaxDetail": {"TotalTax": 9.99}})
    payment = {
        "CustomerRef": {"value": "7"},
        "TotalAmt": D("60.00"),
        "TxnDate": "2026-11-02",
        "PaymentRefNum": "CARD-1",
        "Line": [{"Amount": D("60.00"), "LinkedTxn": [{"TxnId": "58", "TxnType": "Invoice"}]}],
    }
    assert carries_payment(payment)({**payment, "TotalAmt": 60.0, "UnappliedAmt": 0})
    assert not carries_payment(payment)(
        {**payment, "Line": [{"Amount": 60.0, "LinkedTxn": [{"TxnId": "59", "TxnType": "Invoice"}]}]}
    )
    assert is_voided({"TotalAmt": 0, "PrivateNote": "Voided - [qbo-sync payment 1] card"})
    assert not is_voided({"TotalAmt": 0, "PrivateNote": "[qbo-sync payment 1] card"})
