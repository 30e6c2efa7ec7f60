"""One record against its QuickBooks record: each field that differs is named with both sides;
a void, a deletion and an inactive customer are differences of their own."""

from __future__ import annotations

from decimal import Decimal as D

from qbo_sync.reconcile import compare

INVOICE = (7, "INV-7", "70", "finalized", D("110.00"), D("10.00"), D("60.00"), "exclusive")


def qbo_invoice(total="110.00", tax="10.00", balance="60.00", note=None) -> dict:
    return {
        "Id": "70",
        "TotalAmt": float(total),
        "Balance": float(balance),
        "TxnTaxDetail": {"TotalTax": float(tax)},
        "PrivateNote": note,
    }


def test_an_invoice_that_agrees_has_no_difference():
    check = compare.invoice(INVOICE, qbo_invoice())
    assert check.differences == [] and check.fields is None and check.amount == D("110.00")


def test_each_differing_invoice_field_is_named_with_both_sides():
    check = compare.invoice(INVOICE, qbo_invoice(total="110.01", tax="10.01", balance="110.01"))
    assert check.fields == "TotalAmt, TotalTax, Balance"
    assert check.app_value == "TotalAmt 110.00; TotalTax 10.00; Balance 60.00"
    assert check.qbo_value == "TotalAmt 110.01; TotalTax 10.01; Balance 110.01"
    assert check.summary() == (
        "invoice INV-7: TotalAmt QuickBooks 110.01, app 110.00; TotalTax QuickBooks 10.01, app 10.00; "
        "Balance QuickBooks 110.01, app 60.00"
    )


def test_voids_and_deletions_on_either_side():
    voided_there = qbo_invoice(total="0", tax="0", balance="0", note="Voided - [qbo-sync invoice 7]")
    assert compare.invoice(INVOICE, voided_there).app_value == "voided not voided (TotalAmt 110.00)"
    voided_here = (*INVOICE[:3], "voided", *INVOICE[4:])
    assert compare.invoice(voided_here, voided_there).differences == []
    assert compare.invoice(voided_here, qbo_invoice()).qbo_value == "voided not voided (TotalAmt 110.00)"
    gone = compare.invoice(INVOICE, None)
    assert gone.fields == "exists" and "deleted in QuickBooks" in gone.qbo_value


def test_a_payment_pays_its_invoice_for_its_amount():
    app = (5, "CARD-1", "50", D("50.00"), False, "70", "INV-7", False)
    row = {
        "Id": "50",
        "TotalAmt": 50.0,
        "Line": [{"Amount": 50.0, "LinkedTxn": [{"TxnId": "70", "TxnType": "Invoice"}]}],
    }
    assert compare.payment(app, row).differences == []
    moved = {**row, "TotalAmt": 40.0, "Line": [{"Amount": 40.0, "LinkedTxn": [{"TxnId": "71", "TxnType": "Invoice"}]}]}
    check = compare.payment(app, moved)
    assert check.fields == "TotalAmt, pays invoice"
    assert check.app_value == "TotalAmt 50.00; pays invoice INV-7 (Id 70)"
    assert check.qbo_value == "TotalAmt 40.00; pays invoice Id 71"
    assert compare.payment(app, None).fields == "exists"
    # the app voided the invoice: QuickBooks unlinked the payment, its amount left unapplied
    unlinked = {**row, "Line": []}
    assert compare.payment((*app[:7], True), unlinked).differences == []
    assert compare.payment(app, unlinked).fields == "pays invoice"


def test_credit_paid_back_by_cheque_is_still_the_payments_credit():
    """A payment of an invoice already settled is all customer credit; 20.00 of it paid back by
    a cheque linked on it (payments/refund_checks.py) leaves 30.00 unapplied: no difference."""
    app = (5, "CARD-1", "50", D("50.00"), False, "70", "INV-7", False, True)
    cheque = [{"Amount": 20.0, "LinkedTxn": [{"TxnId": "88", "TxnType": "Check"}]}]
    row = {"Id": "50", "TotalAmt": 50.0, "UnappliedAmt": 30.0, "Line": cheque}
    assert compare.payment(app, row).differences == []
    assert compare.payment(app, {**row, "UnappliedAmt": 20.0}).fields == "pays invoice"


def test_a_refund_paid_by_cheque_against_its_check_and_the_payment_linking_it():
    app = (401, "CHQ-401", "88", D("10.00"), False, "AUD", "50", "CARD-202")
    check = {"Id": "88", "TotalAmt": 10.0}
    payment = {"Id": "50", "Line": [{"Amount": 10.0, "LinkedTxn": [{"TxnId": "88", "TxnType": "Check"}]}]}
    agreed = compare.refund_check(app, check, payment)
    assert (agreed.entity, agreed.differences, agreed.currency) == ("refund", [], "AUD")
    partly = {"Id": "50", "Line": [{"Amount": 4.0, "LinkedTxn": [{"TxnId": "88", "TxnType": "Check"}]}]}
    differs = compare.refund_check(app, check, partly)
    assert (differs.fields, differs.qbo_value) == ("linked", "linked payment Id 50 links it for 4.00")
    assert compare.refund_check(app, check, None).qbo_value == "linked payment Id 50 not found"
    assert compare.refund_check(app, None, payment).fields == "exists"
    assert compare.refund_check((*app[:4], True, *app[5:]), None, None).differences == []  # voided: deleted


def test_a_credit_memo_and_its_application():
    app = (3, "CN-3", "30", D("11.00"), "finalized", "70", "90")
    memo = {"Id": "30", "TotalAmt": 11.0}
    applying = {
        "Id": "90",
        "Line": [
            {"LinkedTxn": [{"TxnId": "70", "TxnType": "Invoice"}]},
            {"LinkedTxn": [{"TxnId": "30", "TxnType": "CreditMemo"}]},
        ],
    }
    assert compare.credit_memo(app, memo, applying).differences == []
    unlinked = compare.credit_memo(app, memo, {"Id": "90", "Line": []})
    assert unlinked.fields == "applied" and "no longer links both" in unlinked.qbo_value
    assert "not found" in compare.credit_memo(app, memo, None).qbo_value


def test_a_customer_must_exist_and_be_active_while_the_client_is():
    assert compare.customer((1, "Jane", "10", True), {"Id": "10", "Active": True}).differences == []
    assert compare.customer((1, "Jane", "10", True), {"Id": "10", "Active": False}).fields == "Active"
    # the sync never makes a customer inactive: an inactive client's customer may be either
    assert compare.customer((1, "Jane", "10", False), {"Id": "10", "Active": True}).differences == []
    assert compare.customer((1, "Jane", "10", False), None).fields == "exists"
