"""A refund of an overpayment's excess is paid back by cheque (a Check to the customer coded to
Accounts Receivable, linked on the overpayment), exactly once, undone when the app voids the
refund; a payment edited in the app keeps the cheque linked (and fails before sending when it
would leave less excess than the cheque took back); two refunds of one credit in one run never
take more than it; a bank account in another currency than the credit is refused before
sending; through the pipeline against the emulator and the database."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from qbo_sync.pipeline import run_once
from qbo_sync.tenants.settings import update_settings
from support.overpaid import build_overpaid, cheques, links, mapped, refund
from support.runs import full_window, logged

REPLAYS = 3  # tests/conftest.py: 4 attempts per request (see test_payments_lost_answers.py)


@pytest.fixture
def overpaid(db, qbo_app):
    return build_overpaid(db, qbo_app)


def test_the_excess_is_paid_back_by_cheque_once_and_a_void_undoes_it(db, overpaid, qbo_factory):
    # No refund bank account: the refund of credit fails before anything is sent, with the fix.
    run_once(db, full_window("r1"), qbo_factory)
    status, code, cause, fix = logged(db, "r1", "refund", 401, "status", "error_code", "cause", "fix")
    assert (status, code) == ("failed", "refund_bank_account_missing")
    assert "unapplied credit" in cause and "--refund-bank-account" in fix and "--tenant-id 1" in fix
    # A refund of a payment without credit is still a RefundReceipt.
    assert logged(db, "r1", "refund", 402, "status")[0] == "synced"
    assert mapped(db, "refund", 402) is not None
    with qbo_factory(1) as qbo:
        pay = qbo.read("Payment", mapped(db, "payment", 202)[0])
        customer = pay["CustomerRef"]["value"]
        assert cheques(qbo, customer) == []
        assert D(str(pay["UnappliedAmt"])) == D("15.00")

    # A setting that is no Bank account (the deposit account, Undeposited Funds): refused too.
    update_settings(db, 1, refund_bank_account_id=overpaid["undeposited_funds_account_id"])
    run_once(db, full_window("r2"), qbo_factory)
    status, code, cause = logged(db, "r2", "refund", 401, "status", "error_code", "cause")
    assert (status, code) == ("failed", "refund_bank_account_not_bank")
    assert "Other Current Asset" in cause

    update_settings(db, 1, refund_bank_account_id=overpaid["bank_account_id"])
    run_once(db, full_window("r3"), qbo_factory)
    status, action, note = logged(db, "r3", "refund", 401, "status", "action", "error_message")
    assert (status, action) == ("synced", "create")
    assert note.startswith("refunded 10.00 of customer credit by cheque (Check Id ")
    assert "linked it to payment CARD-202" in note
    check_id = mapped(db, "refund_check", 401)[0]
    assert mapped(db, "refund", 401) is None  # no RefundReceipt in the map
    with qbo_factory(1) as qbo:
        check = qbo.read("Purchase", check_id)
        pay = qbo.read("Payment", pay["Id"])
        receipts = qbo.query(f"select * from RefundReceipt where CustomerRef = '{customer}'")
    assert check["PaymentType"] == "Check" and check["DocNumber"] == "CHQ-401"
    assert check["AccountRef"]["value"] == overpaid["bank_account_id"]
    assert check["EntityRef"]["value"] == customer and check["EntityRef"]["type"] == "Customer"
    assert [ln["AccountBasedExpenseLineDetail"]["AccountRef"]["value"] for ln in check["Line"]] == [
        overpaid["receivable_account_id"]
    ]
    assert D(str(check["TotalAmt"])) == D("10.00")
    assert D(str(pay["TotalAmt"])) == D("70.00") and D(str(pay["UnappliedAmt"])) == D("5.00")
    assert links(pay)[("Check", check_id)] == D("10.00")
    assert all(D(str(r["TotalAmt"])) != D("10.00") for r in receipts)  # no receipt for it

    # Exactly once: the next run sends nothing for it.
    run_once(db, full_window("r4"), qbo_factory)
    assert logged(db, "r4", "refund", 401, "status", "action")[0] != "failed"
    with qbo_factory(1) as qbo:
        assert len(cheques(qbo, customer)) == 1
        assert qbo.read("Payment", pay["Id"])["SyncToken"] == pay["SyncToken"]

    # Changed in the app after the cheque was written: explained, the cheque left as it is.
    db.execute("UPDATE billing.refunds SET amount = 12.00 WHERE id = 401")
    run_once(db, full_window("r4b"), qbo_factory)
    status, code, fix = logged(db, "r4b", "refund", 401, "status", "error_code", "fix")
    assert (status, code) == ("failed", "refund_check_edited") and "void the refund" in fix
    db.execute("UPDATE billing.refunds SET amount = 10.00 WHERE id = 401")
    with qbo_factory(1) as qbo:
        assert D(str(qbo.read("Purchase", check_id)["TotalAmt"])) == D("10.00")

    # Voided in the app: the cheque is unlinked (the credit open again), then deleted.
    db.execute("UPDATE billing.refunds SET voided_at = now() WHERE id = 401")
    run_once(db, full_window("r5"), qbo_factory)
    status, action, note = logged(db, "r5", "refund", 401, "status", "action", "error_message")
    assert (status, action) == ("synced", "void")
    assert "unlinked from payment CARD-202, whose 10.00 is unapplied customer credit again" in note
    assert mapped(db, "refund_check", 401)[1] == "voided"
    with qbo_factory(1) as qbo:
        assert cheques(qbo, customer) == []
        pay = qbo.read("Payment", pay["Id"])
    assert D(str(pay["UnappliedAmt"])) == D("15.00") and ("Check", check_id) not in links(pay)
    run_once(db, full_window("r6"), qbo_factory)
    assert logged(db, "r6", "refund", 401, "status", "action") in (None, ("skipped", "skip"))


def test_a_cheque_whose_answer_was_lost_is_found_and_linked_not_written_twice(db, overpaid, qbo_app, qbo_factory):
    update_settings(db, 1, refund_bank_account_id=overpaid["bank_account_id"])
    qbo_app.inject_fault(overpaid["realm_id"], "commit_then_drop", count=1, path_contains="/purchase")
    qbo_app.inject_fault(overpaid["realm_id"], "reset", count=REPLAYS, path_contains="/purchase")
    run_once(db, full_window("r1"), qbo_factory)
    assert logged(db, "r1", "refund", 401, "status")[0] == "failed"  # the outcome is unknown
    with qbo_factory(1) as qbo:
        customer = qbo.read("Payment", mapped(db, "payment", 202)[0])["CustomerRef"]["value"]
        assert len(cheques(qbo, customer)) == 1  # it landed

    run_once(db, full_window("r2"), qbo_factory)
    status, note = logged(db, "r2", "refund", 401, "status", "error_message")
    assert status == "synced" and "QuickBooks already had this cheque" in note
    with qbo_factory(1) as qbo:
        (check,) = cheques(qbo, customer)
        pay = qbo.read("Payment", mapped(db, "payment", 202)[0])
    assert mapped(db, "refund_check", 401)[0] == str(check["Id"])
    assert links(pay)[("Check", str(check["Id"]))] == D("10.00") and D(str(pay["UnappliedAmt"])) == D("5.00")

    # Our map forgets the cheque after it was linked: found on the payment, nothing sent again.
    db.execute("DELETE FROM qbo_sync.entity_map WHERE entity = 'refund_check' AND source_id = 401")
    run_once(db, full_window("r3"), qbo_factory)
    status, note = logged(db, "r3", "refund", 401, "status", "error_message")
    assert status == "synced" and "its link to the payment was already there" in note
    with qbo_factory(1) as qbo:
        assert len(cheques(qbo, customer)) == 1
        assert qbo.read("Payment", pay["Id"])["SyncToken"] == pay["SyncToken"]


def cheque_paid(db, overpaid, qbo_factory, run_id="r1"):
    """Refund 401 (10.00 of payment 202's 15.00 credit) paid back by cheque and linked."""
    update_settings(db, 1, refund_bank_account_id=overpaid["bank_account_id"])
    run_once(db, full_window(run_id), qbo_factory)
    assert logged(db, run_id, "refund", 401, "status")[0] == "synced"
    return mapped(db, "refund_check", 401)[0], mapped(db, "payment", 202)[0]


def test_a_payment_edit_keeps_the_cheque_linked_and_refuses_to_go_below_it(db, overpaid, qbo_factory):
    check_id, pay_id = cheque_paid(db, overpaid, qbo_factory)

    # 70.00 -> 68.00: the Payment's whole Line array goes back with the cheque's line in it.
    db.execute("UPDATE billing.payments SET amount = 68.00 WHERE id = 202")
    run_once(db, full_window("r2"), qbo_factory)
    status, action, note = logged(db, "r2", "payment", 202, "status", "action", "error_message")
    assert (status, action) == ("synced", "update") and "amount 70.00 -> 68.00" in note
    assert "its link to the refund cheque(s) of CHQ-401 kept (10.00 of its credit paid back)" in note
    with qbo_factory(1) as qbo:
        pay = qbo.read("Payment", pay_id)
        invoice = qbo.read("Invoice", mapped(db, "invoice", 12)[0])
        check = qbo.read("Purchase", check_id)
    assert D(str(pay["TotalAmt"])) == D("68.00") and D(str(pay["UnappliedAmt"])) == D("3.00")
    assert links(pay) == {("Invoice", invoice["Id"]): D("55.00"), ("Check", check_id): D("10.00")}
    assert D(str(invoice["Balance"])) == D("0.00")
    assert {"TxnId": pay_id, "TxnType": "Payment"} in check["LinkedTxn"]  # still linked

    # 68.00 -> 60.00: once it pays its invoice's 55.00, 5.00 is left, less than the 10.00 the
    # cheque took back; fails before anything is sent.
    db.execute("UPDATE billing.payments SET amount = 60.00 WHERE id = 202")
    run_once(db, full_window("r3"), qbo_factory)
    status, code, cause, fix = logged(db, "r3", "payment", 202, "status", "error_code", "cause", "fix")
    assert (status, code) == ("failed", "payment_edit_below_refunded")
    assert "changed in the billing app to 60.00, which leaves 5.00 over what it pays on its invoice" in cause
    assert "10.00 of its excess was already paid back" in cause and "refund CHQ-401" in cause
    assert "void refund CHQ-401 in the billing app first" in fix
    with qbo_factory(1) as qbo:
        after = qbo.read("Payment", pay_id)
    assert after["SyncToken"] == pay["SyncToken"] and D(str(after["TotalAmt"])) == D("68.00")
    # (the invoice stays paid in both books: no difference for the reconciliation)
    assert db.execute(
        "SELECT verdict FROM qbo_sync.reconciliation WHERE run_id = 'r3' AND entity = 'invoice' AND source_id = 12"
    ).fetchone() == ("agree",)

    # Once the refund is voided (its cheque unlinked and deleted), the smaller payment goes.
    db.execute("UPDATE billing.refunds SET voided_at = now() WHERE id = 401")
    run_once(db, full_window("r4"), qbo_factory)
    assert logged(db, "r4", "refund", 401, "status", "action") == ("synced", "void")
    run_once(db, full_window("r5"), qbo_factory)  # (the void ran after the payment in r4)
    assert logged(db, "r5", "payment", 202, "status", "action") == ("synced", "update")
    with qbo_factory(1) as qbo:
        pay = qbo.read("Payment", pay_id)
    assert D(str(pay["TotalAmt"])) == D("60.00") and ("Check", check_id) not in links(pay)
    assert D(str(pay["UnappliedAmt"])) == D("5.00")


def test_two_refunds_of_one_credit_in_one_run_never_take_more_than_it(db, overpaid, qbo_factory):
    # 15.00 of credit; refunds 401 (10.00) and 403 (8.00) each fit alone, not together.
    refund(db, 403, 202, "8.00", "CHQ-403")
    # Neither can go (no bank account): each says so, none is blamed on the other.
    run_once(db, full_window("r0"), qbo_factory)
    assert logged(db, "r0", "refund", 401, "error_code") == ("refund_bank_account_missing",)
    assert logged(db, "r0", "refund", 403, "error_code") == ("refund_bank_account_missing",)
    update_settings(db, 1, refund_bank_account_id=overpaid["bank_account_id"])
    run_once(db, full_window("r1"), qbo_factory)
    assert logged(db, "r1", "refund", 401, "status")[0] == "synced"
    status, code, cause, fix = logged(db, "r1", "refund", 403, "status", "error_code", "cause", "fix")
    assert (status, code) == ("failed", "refund_credit_already_refunded")
    assert "15.00 of unapplied customer credit" in cause and "refund CHQ-401" in cause
    assert "already takes 10.00 of it, which leaves 5.00" in cause
    assert "at most 5.00" in fix and "QuickBooks error" not in cause
    assert mapped(db, "refund_check", 403) is None and mapped(db, "refund", 403) is None
    with qbo_factory(1) as qbo:
        pay = qbo.read("Payment", mapped(db, "payment", 202)[0])
        assert len(cheques(qbo, pay["CustomerRef"]["value"])) == 1  # only the first one's
    assert D(str(pay["UnappliedAmt"])) == D("5.00")


def test_a_bank_account_in_another_currency_than_the_credit_is_refused(db, overpaid, qbo_app, qbo_factory):
    qbo_app.set_preferences(overpaid["realm_id"], multicurrency=True)
    with qbo_factory(1) as qbo:
        euros = qbo.create("Account", {"Name": "Euro Cheque", "AccountType": "Bank", "CurrencyRef": {"value": "EUR"}})
    update_settings(db, 1, refund_bank_account_id=str(euros.entity["Id"]))
    run_once(db, full_window("r1"), qbo_factory)
    status, code, cause, fix = logged(db, "r1", "refund", 401, "status", "error_code", "cause", "fix")
    assert (status, code) == ("failed", "refund_bank_account_currency")
    assert "10.00 AUD" in cause and "'Euro Cheque', holds EUR" in cause
    assert "--refund-bank-account" in fix and "AUD bank account" in fix
    with qbo_factory(1) as qbo:
        pay = qbo.read("Payment", mapped(db, "payment", 202)[0])
        assert cheques(qbo, pay["CustomerRef"]["value"]) == []  # nothing sent
    assert D(str(pay["UnappliedAmt"])) == D("15.00")


def test_a_payment_voided_while_its_cheque_is_linked_waits_for_the_refund_to_be_voided(db, overpaid, qbo_factory):
    """Voiding the payment in QuickBooks would unlink the cheque that paid back part of its credit
    (found by the chaos suite): the void fails with the fix, then goes once the refund is voided."""
    check_id, pay_id = cheque_paid(db, overpaid, qbo_factory)

    db.execute("UPDATE billing.payments SET voided_at = now() WHERE id = 202")
    run_once(db, full_window("r2"), qbo_factory)
    status, code, cause, fix = logged(db, "r2", "payment", 202, "status", "error_code", "cause", "fix")
    assert (status, code) == ("failed", "payment_void_refunded")
    assert "Payment" in cause and "refund CHQ-401" in cause and "Void refund CHQ-401 in the billing app first" in fix
    with qbo_factory(1) as qbo:
        pay = qbo.read("Payment", pay_id)
    assert ("Check", check_id) in links(pay) and D(str(pay["TotalAmt"])) == D("70.00")

    db.execute("UPDATE billing.refunds SET voided_at = now() WHERE id = 401")
    run_once(db, full_window("r3"), qbo_factory)
    assert logged(db, "r3", "refund", 401, "status", "action") == ("synced", "void")
    run_once(db, full_window("r4"), qbo_factory)  # (the payments step runs before the refunds')
    assert logged(db, "r4", "payment", 202, "status", "action") == ("synced", "void")
    with qbo_factory(1) as qbo:
        pay = qbo.read("Payment", pay_id)
    assert D(str(pay["TotalAmt"])) == D("0.00") and ("Check", check_id) not in links(pay)
