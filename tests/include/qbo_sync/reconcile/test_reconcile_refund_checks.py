"""A refund of an overpayment's credit paid back by cheque is reconciled with its Check in
QuickBooks (that it exists, its amount, that the payment still links it for the refund's
amount), counted with the refunds in the summary, each difference explained or flagged
unexplained; against the emulator and the database."""

from __future__ import annotations

from decimal import Decimal as D

from qbo_sync.pipeline import run_once
from qbo_sync.reconcile import run as reconciliation
from qbo_sync.reconcile.report import full_report
from qbo_sync.tenants.settings import update_settings
from support.overpaid import build_overpaid, mapped
from support.runs import full_window


def verdict(db, run_id, source_id):
    return db.execute(
        "SELECT verdict, fields, app_value, qbo_value, explanation, qbo_id FROM qbo_sync.reconciliation "
        "WHERE run_id = %s AND entity = 'refund' AND source_id = %s",
        (run_id, source_id),
    ).fetchone()


def full_pass(db, qbo_factory, run_id):
    with qbo_factory(1) as client:
        reconciliation.reconcile_tenant(db, run_id, "qbo_reconcile", 1, client, reconciliation.FULL)
    return full_report(db, run_id, {1: "Harbour Physio"})


def test_a_refund_paid_by_cheque_is_compared_with_its_check(db, qbo_app, qbo_factory):
    company = build_overpaid(db, qbo_app)  # refund 401: 10.00 of payment 202's credit; 402: a receipt
    update_settings(db, 1, refund_bank_account_id=company["bank_account_id"])
    report, _ = run_once(db, full_window("r1"), qbo_factory)
    check_id, pay_id = mapped(db, "refund_check", 401)[0], mapped(db, "payment", 202)[0]
    assert verdict(db, "r1", 401)[0::5] == ("agree", check_id)  # the run compares what it touched
    text, unexplained = full_pass(db, qbo_factory, "full-1")
    flat = " ".join(text.split())
    assert unexplained == 0 and "2 refunds, 40.00 AUD" in flat, flat  # the cheque and the receipt
    assert verdict(db, "full-1", 401)[0] == "agree"

    # A person takes the cheque off the payment in QuickBooks: the credit is open again.
    with qbo_factory(1) as qbo:
        pay = qbo.read("Payment", pay_id)
        kept = [ln for ln in pay["Line"] if ln["LinkedTxn"][0]["TxnType"] != "Check"]
        qbo.update("Payment", {**pay, "Line": kept})
    text, unexplained = full_pass(db, qbo_factory, "full-2")
    got, fields, app_value, qbo_value, explanation, _ = verdict(db, "full-2", 401)
    assert (got, fields) == ("unexplained", "linked") and unexplained == 1
    assert f"linked on payment CARD-202 (Id {pay_id}) for 10.00" in app_value
    assert f"not linked on payment Id {pay_id}" in qbo_value
    assert "refund CHQ-401: linked QuickBooks not linked" in " ".join(text.split())

    # ... then raises it to 12.00: its amount differs too.
    with qbo_factory(1) as qbo:
        check = qbo.read("Purchase", check_id)
        check["Line"][0]["Amount"] = D("12.00")
        qbo.update("Purchase", check)
    full_pass(db, qbo_factory, "full-3")
    got, fields, app_value, qbo_value, _, _ = verdict(db, "full-3", 401)
    assert (got, fields) == ("unexplained", "TotalAmt, linked")
    assert "TotalAmt 10.00" in app_value and f"TotalAmt 12.00 (Check Id {check_id})" in qbo_value

    # The refund changed in the app since: its failed outcome explains the difference.
    db.execute("UPDATE billing.refunds SET amount = 12.00 WHERE id = 401")
    run_once(db, full_window("r2"), qbo_factory)
    got, fields, _, _, explanation, _ = verdict(db, "r2", 401)
    assert got == "explained" and "refund_check_edited" in explanation and fields == "linked"
    db.execute("UPDATE billing.refunds SET amount = 10.00 WHERE id = 401")  # put back: unchanged again
    run_once(db, full_window("r2b"), qbo_factory)

    # ... and deleted in QuickBooks: it no longer exists.
    with qbo_factory(1) as qbo:
        check = qbo.read("Purchase", check_id)
        qbo.delete("Purchase", check_id, check["SyncToken"])
    full_pass(db, qbo_factory, "full-4")
    got, fields, app_value, qbo_value, _, _ = verdict(db, "full-4", 401)
    assert (got, fields) == ("unexplained", "exists")
    assert app_value == f"exists Check Id {check_id}" and "not found" in qbo_value

    # Voided in the app: the sync deletes its cheque, so there is nothing to compare.
    db.execute("UPDATE billing.refunds SET voided_at = now() WHERE id = 401")
    run_once(db, full_window("r3"), qbo_factory)
    full_pass(db, qbo_factory, "full-5")
    assert verdict(db, "full-5", 401)[0] == "agree"
