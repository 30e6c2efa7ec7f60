"""Refunds made in QuickBooks and overpayments keyed there, read back into the app without
doubling: through the pipeline against the emulator and the database (payments.refunds_in)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest

from qbo_sync.pipeline import run_once
from support.overpaid import payment
from support.rows import insert
from support.runs import full_window
from support.scenario import NOW, add_invoice, build_au_tenant

PAID = NOW - timedelta(hours=20)


def mapped(db, entity, source_id):
    return db.execute(
        "SELECT qbo_id FROM qbo_sync.entity_map WHERE tenant_id = 1 AND entity = %s AND source_id = %s",
        (entity, source_id),
    ).fetchone()[0]


def read_back(db):
    """The refunds read back from QuickBooks: external_id -> (payment, amount, reference, voided)."""
    rows = db.execute(
        "SELECT external_id, payment_id, amount, reference, method, voided_at IS NOT NULL FROM billing.refunds"
        " WHERE origin = 'quickbooks' ORDER BY id"
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def imports(db, run_id):
    return db.execute(
        "SELECT source_id, qbo_id, action, status, error_code, error_message, cause, fix FROM qbo_sync.sync_log"
        " WHERE run_id = %s AND entity = 'refund_import' ORDER BY id",
        (run_id,),
    ).fetchall()


def settings(db):
    return db.execute(
        "SELECT default_service_item_id, deposit_account_id, no_tax_code_id FROM qbo_sync.tenant_settings"
        " WHERE tenant_id = 1"
    ).fetchone()


def receipt_body(db, customer, amount, *, number=None, ref_num=None, memo=None, method=None):
    """A RefundReceipt as finance keys it in QuickBooks' form (Refund receipt)."""
    item, account, no_tax = settings(db)
    body = {
        "CustomerRef": {"value": customer},
        "DepositToAccountRef": {"value": account},
        "TxnDate": NOW.date().isoformat(),
        "GlobalTaxCalculation": "TaxExcluded",
        "Line": [
            {
                "DetailType": "SalesItemLineDetail",
                "Amount": D(amount),
                "Description": "Session cancelled",
                "SalesItemLineDetail": {
                    "ItemRef": {"value": item},
                    "Qty": D(1),
                    "UnitPrice": D(amount),
                    "TaxCodeRef": {"value": no_tax},
                },
            }
        ],
    }
    for key, value in (("DocNumber", number), ("PaymentRefNum", ref_num), ("PrivateNote", memo)):
        if value is not None:
            body[key] = value
    if method is not None:
        body["PaymentMethodRef"] = {"value": method}
    return body


@pytest.fixture
def scenario(db, qbo_app):
    company, good = build_au_tenant(db, qbo_app)
    add_invoice(db, 12, "INV-0012", 4, [("2", "25.00", 1, None, None)])  # Bob Jones's second
    payment(db, 201, 2, "110.00", "CARD-201")  # Bob Jones pays invoice 2
    payment(db, 202, 12, "20.00", "CARD-202")  # ... and part of invoice 12
    # An app refund the sync sends itself: its RefundReceipt is never read back.
    insert(
        db,
        "billing.refunds",
        id=301,
        tenant_id=1,
        payment_id=201,
        amount=D("10.00"),
        refunded_at=NOW - timedelta(hours=2),
        method="card",
        reference="RF-301",
        reason=None,
        created_at=NOW - timedelta(hours=2),
        voided_at=None,
    )
    return company, good


def test_a_refund_made_in_quickbooks_is_recorded_once_and_its_deletion_voids_it(db, scenario, qbo_factory):
    run_once(db, full_window("r1"), qbo_factory)
    ours = mapped(db, "refund", 301)
    with qbo_factory(1) as qbo:
        customer = qbo.read("Invoice", mapped(db, "invoice", 2))["CustomerRef"]["value"]
        [cheque] = qbo.query("select * from PaymentMethod where Name = 'Check'")
        # Named by its Ref no. (the app payment's reference, any case) ...
        by_number = qbo.create(
            "RefundReceipt", receipt_body(db, customer, "25.00", number="RR-1", ref_num="card-201")
        ).entity
        # ... by its memo, where a tag someone typed names no refund of ours (not ours, then) ...
        by_memo = qbo.create(
            "RefundReceipt",
            receipt_body(
                db,
                customer,
                "5.00",
                ref_num="CHQ-88",
                memo="Refund of CARD-202 by cheque [qbo-sync refund 999]",
                method=cheque["Id"],
            ),
        ).entity
        # ... naming no payment the app knows, and naming two.
        unknown = qbo.create(
            "RefundReceipt", receipt_body(db, customer, "7.00", number="RR-3", ref_num="NOPE-1")
        ).entity
        both = qbo.create(
            "RefundReceipt", receipt_body(db, customer, "3.00", number="RR-4", memo="CARD-201 and CARD-202")
        ).entity
    run_once(db, full_window("r2"), qbo_factory)

    got = read_back(db)
    assert got == {
        by_number["Id"]: (201, D("25.00"), "RR-1", "other", False),
        # Its reference is the receipt's number (QuickBooks numbers it unless numbers are custom).
        by_memo["Id"]: (202, D("5.00"), by_memo.get("DocNumber") or "CHQ-88", "cheque", False),
    }
    assert ours not in got  # the sync's own RefundReceipt is never read back
    logged = {(r[1], r[4]): r for r in imports(db, "r2")}
    assert logged[(by_number["Id"], None)][2:4] == ("import", "synced")
    assert "refunded 25.00 of payment CARD-201 in QuickBooks" in logged[(by_number["Id"], None)][5]
    _sid, _qid, action, status, _code, _msg, cause, fix = logged[(unknown["Id"], "refund_import_payment_unknown")]
    assert (action, status) == ("import", "skipped")
    assert "'RR-3'" in cause and "'NOPE-1'" in cause and "Ref no." in fix
    cause = logged[(both["Id"], "refund_import_payment_ambiguous")][6]
    assert "'RR-4'" in cause and "CARD-201, CARD-202" in cause
    # The app's refunds of payment 201 now count the one made in QuickBooks: a new app refund
    # that would give back more than the payment brought in with it fails before it is sent.
    insert(
        db,
        "billing.refunds",
        id=302,
        tenant_id=1,
        payment_id=201,
        amount=D("80.00"),
        refunded_at=NOW,
        method="card",
        reference="RF-302",
        reason=None,
        created_at=NOW,
        voided_at=None,
    )

    # A second sighting (the capture read again from an earlier cursor) and a plain re-run
    # record nothing twice.
    db.execute(
        "UPDATE qbo_sync.sync_cursors SET position = position - interval '2 hours'"
        " WHERE tenant_id = 1 AND name = 'payments_in'"
    )
    run_once(db, full_window("r3"), qbo_factory)
    run_once(db, full_window("r4"), qbo_factory)
    assert read_back(db) == got
    assert db.execute("SELECT count(*) FROM billing.refunds").fetchone() == (4,)  # 301, 302 and the two
    status, code, cause = db.execute(
        "SELECT status, error_code, cause FROM qbo_sync.sync_log WHERE run_id = 'r3' AND entity = 'refund'"
        " AND source_id = 302"
    ).fetchone()
    assert (status, code) == ("failed", "refund_exceeds_payment") and "35.00 already refunded" in cause
    assert [r for r in imports(db, "r3") + imports(db, "r4") if r[3] == "synced"] == []

    # Edited in QuickBooks: the same row follows; deleted there: the row is voided, once.
    with qbo_factory(1) as qbo:
        current = qbo.read("RefundReceipt", by_number["Id"])
        body = receipt_body(db, customer, "20.00", number="RR-1", ref_num="CARD-201")
        qbo.update("RefundReceipt", {**body, "Id": current["Id"], "SyncToken": current["SyncToken"]})
    run_once(db, full_window("r5"), qbo_factory)
    assert read_back(db)[by_number["Id"]] == (201, D("20.00"), "RR-1", "other", False)
    [edited] = [r for r in imports(db, "r5") if r[1] == by_number["Id"]]
    assert edited[5].startswith("updated from QuickBooks")
    with qbo_factory(1) as qbo:
        current = qbo.read("RefundReceipt", by_memo["Id"])
        qbo.delete("RefundReceipt", by_memo["Id"], current["SyncToken"])
    run_once(db, full_window("r6"), qbo_factory)
    assert read_back(db)[by_memo["Id"]][-1] is True
    # 10.00 (refund 301) + 20.00 (edited in QuickBooks) + 80.00 = the payment's 110.00: 302 goes.
    assert db.execute(
        "SELECT status FROM qbo_sync.sync_log WHERE run_id = 'r6' AND entity = 'refund' AND source_id = 302"
    ).fetchone() == ("synced",)
    [voided] = [r for r in imports(db, "r6") if r[1] == by_memo["Id"]]
    assert voided[2:4] == ("void", "synced") and "deleted in QuickBooks" in voided[5]
    run_once(db, full_window("r7"), qbo_factory)
    assert [r for r in imports(db, "r7") if r[2] == "void"] == []
    assert unknown["Id"] not in read_back(db) and both["Id"] not in read_back(db)


def test_a_quickbooks_payment_with_unapplied_credit_is_recorded_for_what_it_applies(db, scenario, qbo_factory):
    run_once(db, full_window("r1"), qbo_factory)
    inv12 = mapped(db, "invoice", 12)
    with qbo_factory(1) as qbo:
        invoice = qbo.read("Invoice", inv12)
        owed = D(str(invoice["Balance"]))
        assert owed == D("35.00")  # 55.00, of which the app's payment 202 paid 20.00
        paid = qbo.create(
            "Payment",
            {
                "CustomerRef": invoice["CustomerRef"],
                "TotalAmt": D("75.00"),
                "PaymentRefNum": "QB-OVER",
                "Line": [{"Amount": owed, "LinkedTxn": [{"TxnId": inv12, "TxnType": "Invoice"}]}],
            },
        ).entity
        assert D(str(paid["UnappliedAmt"])) == D("40.00")
    run_once(db, full_window("r2"), qbo_factory)
    rows = db.execute(
        "SELECT id, invoice_id, amount, external_id FROM billing.payments WHERE origin = 'quickbooks'"
    ).fetchall()
    assert [r[1:] for r in rows] == [(12, D("35.00"), f"{paid['Id']}:{inv12}")]  # what it applies, no more
    note = db.execute(
        "SELECT status, error_message FROM qbo_sync.sync_log WHERE run_id = 'r2' AND entity = 'payment_import'"
        " AND source_id = %s",
        (rows[0][0],),
    ).fetchone()
    assert note == (
        "synced",
        "applies 35.00 to invoice INV-0012; of its 75.00, 40.00 stays unapplied in QuickBooks as the customer's credit",
    )
    # Both books agree on the invoice: nothing unexplained.
    assert db.execute(
        "SELECT count(*) FROM qbo_sync.reconciliation WHERE run_id = 'r2' AND verdict = 'unexplained'"
    ).fetchone() == (0,)
    # The customer's credit is refunded in QuickBooks: that refund is read back against the payment.
    with qbo_factory(1) as qbo:
        refund = qbo.create(
            "RefundReceipt", receipt_body(db, invoice["CustomerRef"]["value"], "40.00", ref_num="QB-OVER")
        ).entity
    run_once(db, full_window("r3"), qbo_factory)
    reference = refund.get("DocNumber") or "QB-OVER"
    assert read_back(db) == {refund["Id"]: (rows[0][0], D("40.00"), reference, "other", False)}
