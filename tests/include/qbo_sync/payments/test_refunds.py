"""Refunds (billing.refunds -> RefundReceipt) and overpayments, through the pipeline against the emulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from qbo_client.errors import QboFaultError
from qbo_sync.extract.records import RunWindow
from qbo_sync.pipeline import run_once
from qbo_sync.tenants.settings import update_settings
from support.overpaid import payment
from support.rows import insert
from support.scenario import NOW, add_invoice, build_au_tenant

PAID = NOW - timedelta(hours=20)


def window(run_id):
    now = datetime.now(UTC)
    return RunWindow(run_id, now - timedelta(hours=1), now + timedelta(minutes=1), full_sync=True)


def mapped(db, entity, source_id):
    row = db.execute(
        "SELECT qbo_id FROM qbo_sync.entity_map WHERE tenant_id = 1 AND entity = %s AND source_id = %s",
        (entity, source_id),
    ).fetchone()
    return row[0] if row else None


def outcome(db, run_id, entity, source_id):
    return db.execute(
        "SELECT status, action, error_code, error_message, adjustments, cause FROM qbo_sync.sync_log"
        " WHERE run_id = %s AND entity = %s AND source_id = %s",
        (run_id, entity, source_id),
    ).fetchone()


def refund(db, rid, payment_id, amount, reference=None, reason=None):
    # Exactly the contract's column names (billing-source.md).
    insert(
        db,
        "billing.refunds",
        id=rid,
        tenant_id=1,
        payment_id=payment_id,
        amount=None if amount is None else D(amount),
        refunded_at=NOW - timedelta(hours=2),
        method="card",
        reference=reference,
        reason=reason,
        created_at=NOW - timedelta(hours=2),
        voided_at=None,
    )


def receipts(qbo, customer):
    return qbo.query(f"select * from RefundReceipt where CustomerRef = '{customer}'")


@pytest.fixture
def scenario(db, qbo_app):
    company, good = build_au_tenant(db, qbo_app)
    add_invoice(db, 12, "INV-0012", 4, [("2", "25.00", 1, None, None)])
    payment(db, 201, 2, "110.00", "CARD-201")  # pays invoice 2 in full
    payment(db, 202, 12, "70.00", "CARD-202")  # invoice 12 is 55.00: 15.00 over
    payment(db, 203, 4, "10.00", "CARD-203")  # invoice 4 never reaches QuickBooks
    refund(db, 301, 201, "30.00", "RF-301", "Cancelled session")
    refund(db, 302, 201, "90.00", "RF-302")  # with 301: more than the payment
    refund(db, 303, 999, "5.00", "RF-303")  # no such payment
    refund(db, 304, 201, "0.00", "RF-304")
    refund(db, 305, 203, "5.00", "RF-305")  # its payment failed
    refund(db, 306, 202, "15.00", "R" * 101)
    return company, good


def test_refunds_go_once_are_explained_and_a_void_deletes_the_receipt(db, scenario, qbo_factory):
    run_once(db, window("r1"), qbo_factory)
    assert outcome(db, "r1", "refund", 301)[:3] == ("synced", "create", None)
    assert "refunded 30.00 of payment CARD-201" in outcome(db, "r1", "refund", 301)[3]
    assert outcome(db, "r1", "refund", 302)[:3] == ("failed", "create", "refund_exceeds_payment")
    assert "30.00 already refunded" in outcome(db, "r1", "refund", 302)[5]
    assert outcome(db, "r1", "refund", 303)[2] == "refund_payment_missing"
    assert outcome(db, "r1", "refund", 304)[2] == "refund_amount_invalid"
    assert outcome(db, "r1", "payment", 203)[0] == "failed"
    assert outcome(db, "r1", "refund", 305)[2] == "refund_payment_not_synced"
    assert outcome(db, "r1", "refund", 306)[2] == "refund_reference_too_long"

    receipt_id = mapped(db, "refund", 301)
    with qbo_factory(1) as qbo:
        receipt = qbo.read("RefundReceipt", receipt_id)
        customer = qbo.read("Invoice", mapped(db, "invoice", 2))["CustomerRef"]["value"]
    assert D(str(receipt["TotalAmt"])) == D("30.00")
    assert receipt["CustomerRef"]["value"] == customer
    assert receipt["PaymentRefNum"] == "RF-301"
    assert receipt["Line"][0]["Description"] == "Cancelled session"
    assert receipt["DepositToAccountRef"]["value"] == scenario[0]["undeposited_funds_account_id"]

    # Exactly once: another run sends nothing new, and a lost answer (our map forgets the
    # receipt) links the receipt QuickBooks already has instead of posting a second one.
    run_once(db, window("r2"), qbo_factory)
    db.execute("DELETE FROM qbo_sync.entity_map WHERE entity = 'refund' AND source_id = 301")
    run_once(db, window("r3"), qbo_factory)
    assert outcome(db, "r3", "refund", 301)[0] == "synced"
    assert "earlier answer was lost" in outcome(db, "r3", "refund", 301)[3]
    assert mapped(db, "refund", 301) == receipt_id
    with qbo_factory(1) as qbo:
        assert [r["Id"] for r in receipts(qbo, customer)] == [receipt_id]

    # Edited in the app after it went: the same receipt is updated.
    db.execute("UPDATE billing.refunds SET amount = 25.00 WHERE id = 301")
    run_once(db, window("r4"), qbo_factory)
    assert outcome(db, "r4", "refund", 301)[:2] == ("synced", "update")
    with qbo_factory(1) as qbo:
        assert D(str(qbo.read("RefundReceipt", receipt_id)["TotalAmt"])) == D("25.00")

    # Voided in the app: QuickBooks has no void for a RefundReceipt, so it is deleted, once.
    db.execute("UPDATE billing.refunds SET voided_at = now() WHERE id = 301")
    run_once(db, window("r5"), qbo_factory)
    assert outcome(db, "r5", "refund", 301)[:2] == ("synced", "void")
    assert "deleted there" in outcome(db, "r5", "refund", 301)[3]
    with qbo_factory(1) as qbo:
        with pytest.raises(QboFaultError):
            qbo.read("RefundReceipt", receipt_id)
        left = receipts(qbo, customer)
    # With 301 voided, refund 302 (90.00 of the 110.00 payment) no longer exceeds it, and goes.
    assert outcome(db, "r5", "refund", 302)[:3] == ("synced", "create", None)
    assert [(r["Id"], D(str(r["TotalAmt"]))) for r in left] == [(mapped(db, "refund", 302), D("90.00"))]
    run_once(db, window("r6"), qbo_factory)
    assert outcome(db, "r6", "refund", 301)[0] != "failed"
    assert db.execute(
        "SELECT count(*) FROM qbo_sync.reconciliation WHERE run_id = 'r6' AND verdict = 'unexplained'"
    ).fetchone() == (0,)


def test_overpayment_goes_with_the_excess_left_as_customer_credit(db, scenario, qbo_factory):
    run_once(db, window("r1"), qbo_factory)
    status, _action, code, _message, adjustments, _cause = outcome(db, "r1", "payment", 202)
    assert (status, code) == ("synced", None)
    assert adjustments == (
        "overpayment: 55.00 applied to invoice INV-0012 (all it still owed in QuickBooks), "
        "15.00 left unapplied as credit for the customer"
    )
    with qbo_factory(1) as qbo:
        sent = qbo.read("Payment", mapped(db, "payment", 202))
        invoice = qbo.read("Invoice", mapped(db, "invoice", 12))
    assert D(str(sent["TotalAmt"])) == D("70.00")  # the whole payment, to the cent
    assert D(str(sent["UnappliedAmt"])) == D("15.00")
    assert D(str(invoice["Balance"])) == D("0.00")
    # The refund of that excess pays the customer's credit back by cheque (test_refund_checks.py),
    # once its reference is fixed and the tenant has a bank account to write it from.
    db.execute("UPDATE billing.refunds SET reference = 'RF-306' WHERE id = 306")
    run_once(db, window("r2"), qbo_factory)
    assert outcome(db, "r2", "refund", 306)[:3] == ("failed", "create", "refund_bank_account_missing")
    update_settings(db, 1, refund_bank_account_id=scenario[0]["bank_account_id"])
    run_once(db, window("r2b"), qbo_factory)
    assert outcome(db, "r2b", "refund", 306)[:3] == ("synced", "create", None)
    assert "of customer credit by cheque" in outcome(db, "r2b", "refund", 306)[3]
    # A later run neither doubles the payment nor fails it.
    assert outcome(db, "r2", "payment", 202)[0] != "failed"
    with qbo_factory(1) as qbo:
        payments = qbo.query(f"select * from Payment where CustomerRef = '{sent['CustomerRef']['value']}'")
    assert sum(1 for p in payments if D(str(p["TotalAmt"])) == D("70.00")) == 1
