"""RefundReceipt and overpayments, with the rules of Intuit's RefundReceipt and Payment references."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def refund_body(company, amount="30.00", **fields):
    return {
        "DepositToAccountRef": {"value": company.info["bank_account_id"]},
        "Line": [
            {
                "Amount": float(amount),
                "DetailType": "SalesItemLineDetail",
                "SalesItemLineDetail": {
                    "ItemRef": {"value": company.info["service_item_id"]},
                    "Qty": 1,
                    "UnitPrice": float(amount),
                    "TaxCodeRef": {"value": company.info["tax_codes"].get("GST free") or "NON"},
                },
            }
        ],
        **fields,
    }


def test_refund_receipt_create_computes_total_and_zero_balance(au):
    customer = au.customer("Refunded Rita")
    created = au.ok(
        "refundreceipt",
        refund_body(au, "30.00", CustomerRef={"value": customer["Id"]}, TotalAmt=999, PaymentRefNum="R" * 100),
    )
    assert created["TotalAmt"] == 30.0  # a supplied TotalAmt is overwritten
    assert created["Balance"] == 0
    assert created["DepositToAccountRef"]["value"] == au.info["bank_account_id"]
    assert created["CustomerRef"]["value"] == customer["Id"]
    assert "DueDate" not in created
    assert au.get(f"refundreceipt/{created['Id']}").json()["RefundReceipt"]["TotalAmt"] == 30.0
    rows = au.query(f"select * from RefundReceipt where CustomerRef = '{customer['Id']}'")["RefundReceipt"]
    assert [r["Id"] for r in rows] == [created["Id"]]


def test_refund_receipt_customer_is_optional(au):
    assert "CustomerRef" not in au.ok("refundreceipt", refund_body(au, "5.00"))


def test_refund_receipt_needs_deposit_account_and_lines(au):
    body = refund_body(au)
    del body["DepositToAccountRef"]
    error = au.fault("refundreceipt", body)
    assert error["code"] == "2020" and "DepositToAccountRef" in error["Detail"]
    assert au.fault("refundreceipt", {**refund_body(au), "Line": []})["code"] == "2020"
    income = au.fault("refundreceipt", refund_body(au, DepositToAccountRef={"value": au.info["income_account_id"]}))
    assert income["code"] == "6000" and "Bank or Other Current Asset" in income["Detail"]
    long_ref = au.fault("refundreceipt", refund_body(au, PaymentRefNum="R" * 101))
    assert long_ref["code"] == "2050"


def test_refund_receipt_is_deleted_not_voided_and_cdc_shows_deletion(au):
    start = datetime.now(UTC) - timedelta(minutes=1)
    created = au.ok("refundreceipt", refund_body(au))
    refused = au.fault("refundreceipt", {"Id": created["Id"], "SyncToken": created["SyncToken"]}, operation="void")
    assert "Void is not supported for RefundReceipt" in refused["Detail"]
    deleted = au.ok("refundreceipt", {"Id": created["Id"], "SyncToken": created["SyncToken"]}, operation="delete")
    assert deleted["status"] == "Deleted"
    assert au.get(f"refundreceipt/{created['Id']}").status_code == 400
    answer = au.get("cdc", entities="RefundReceipt", changedSince=start.isoformat()).json()
    rows = answer["CDCResponse"][0]["QueryResponse"][0]["RefundReceipt"]
    assert [(r["Id"], r.get("status"), "TotalAmt" in r) for r in rows] == [(created["Id"], "Deleted", False)]


def test_overpayment_leaves_the_excess_unapplied(au):
    customer = au.customer("Overpaying Otto")
    invoice = au.invoice(customer["Id"], "100.00")
    total = invoice["TotalAmt"]
    payment = au.ok(
        "payment",
        {
            "CustomerRef": {"value": customer["Id"]},
            "TotalAmt": total + 20,
            "Line": [{"Amount": total, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}],
        },
    )
    assert payment["UnappliedAmt"] == 20
    assert au.get(f"invoice/{invoice['Id']}").json()["Invoice"]["Balance"] == 0
    credit = au.ok("payment", {"CustomerRef": {"value": customer["Id"]}, "TotalAmt": 15})
    assert credit["UnappliedAmt"] == 15 and credit["Line"] == []
