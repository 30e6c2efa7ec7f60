"""PaymentMethod: every company's default list, read/query/create/update, and Payment's
PaymentMethodRef checked against it and answered by id only, as QuickBooks does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

DEFAULTS = {
    "Cash": "NON_CREDIT_CARD",
    "Check": "NON_CREDIT_CARD",
    "Visa": "CREDIT_CARD",
    "MasterCard": "CREDIT_CARD",
    "Discover": "CREDIT_CARD",
    "American Express": "CREDIT_CARD",
    "Diners Club": "CREDIT_CARD",
}


def test_new_company_has_the_default_payment_methods(make_company):
    for region in ("AU", "US", "UK"):
        company = make_company(region)
        rows = company.query("select * from PaymentMethod")["PaymentMethod"]
        assert {r["Name"]: r["Type"] for r in rows} == DEFAULTS
        assert all(r["Active"] is True and r["SyncToken"] == "0" for r in rows)
        # Their own id list starting at 1 (Cash), and the ids the control API hands out.
        assert company.info["payment_methods"] == {r["Name"]: r["Id"] for r in rows}
        assert company.info["payment_methods"]["Cash"] == "1"


def test_read_and_query_by_name_case_insensitive(au):
    visa = au.info["payment_methods"]["Visa"]
    body = au.get(f"paymentmethod/{visa}").json()
    assert set(body) == {"PaymentMethod", "time"}
    assert body["PaymentMethod"]["Name"] == "Visa" and body["PaymentMethod"]["Type"] == "CREDIT_CARD"
    rows = au.query("select * from PaymentMethod where Name = 'american express'")["PaymentMethod"]
    assert [r["Id"] for r in rows] == [au.info["payment_methods"]["American Express"]]
    assert au.get("paymentmethod/9999").status_code == 400


def test_create_validates_name_and_type(au):
    gift = au.ok("paymentmethod", {"Name": " Gift card "})
    assert (gift["Name"], gift["Type"], gift["Active"]) == ("Gift card", "NON_CREDIT_CARD", True)
    assert gift["Id"] not in au.info["payment_methods"].values()
    assert au.fault("paymentmethod", {"Name": "GIFT CARD"})["code"] == "6240"
    assert au.fault("paymentmethod", {"Type": "CREDIT_CARD"})["code"] == "2020"
    error = au.fault("paymentmethod", {"Name": "x" * 32})
    assert (error["code"], error["element"]) == ("2050", "Name")
    assert au.fault("paymentmethod", {"Name": "Crypto", "Type": "BITCOIN"})["element"] == "Type"


def test_deactivated_method_is_hidden_unless_asked_and_cannot_be_deleted(au):
    cash = au.get(f"paymentmethod/{au.info['payment_methods']['Cash']}").json()["PaymentMethod"]
    updated = au.ok(
        "paymentmethod", {"Id": cash["Id"], "SyncToken": cash["SyncToken"], "sparse": True, "Active": False}
    )
    assert updated["Active"] is False and updated["SyncToken"] == "1" and updated["Name"] == "Cash"
    names = {r["Name"] for r in au.query("select * from PaymentMethod")["PaymentMethod"]}
    assert "Cash" not in names and "Check" in names
    every = au.query("select * from PaymentMethod where Active in (true, false)")["PaymentMethod"]
    assert {r["Name"] for r in every} == set(DEFAULTS)
    error = au.fault("paymentmethod", {"Id": cash["Id"], "SyncToken": "1"}, operation="delete")
    assert error["code"] == "500"


def test_payment_method_ref_checked_and_answered_by_id_only(au):
    customer = au.customer("Card Payer")
    invoice = au.invoice(customer["Id"], "10.00")
    link = [{"Amount": 5, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}]
    visa = au.info["payment_methods"]["Visa"]
    payment = au.ok(
        "payment",
        {
            "CustomerRef": {"value": customer["Id"]},
            "TotalAmt": 5,
            "Line": link,
            "PaymentMethodRef": {"value": visa, "name": "whatever the client says"},
        },
    )
    assert payment["PaymentMethodRef"] == {"value": visa}
    found = au.query(f"select * from Payment where Id = '{payment['Id']}'")["Payment"][0]
    assert found["PaymentMethodRef"] == {"value": visa}
    # An id that is not a payment method (the demo used to send "0") is refused.
    error = au.fault(
        "payment",
        {"CustomerRef": {"value": customer["Id"]}, "TotalAmt": 1, "PaymentMethodRef": {"value": "0", "name": "Cash"}},
    )
    assert (error["code"], error["element"]) == ("2500", "PaymentMethodRef")
    # So is an inactive one.
    gift = au.ok("paymentmethod", {"Name": "Voucher"})
    au.ok("paymentmethod", {"Id": gift["Id"], "SyncToken": "0", "sparse": True, "Active": False})
    error = au.fault(
        "payment", {"CustomerRef": {"value": customer["Id"]}, "TotalAmt": 1, "PaymentMethodRef": {"value": gift["Id"]}}
    )
    assert error["code"] == "2500"


def test_payment_methods_in_batch_and_cdc(au):
    since = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    response = au.post(
        "batch",
        {
            "BatchItemRequest": [
                {"bId": "1", "operation": "create", "PaymentMethod": {"Name": "Bank transfer"}},
                {"bId": "2", "operation": "create", "PaymentMethod": {"Name": "Cash"}},
            ]
        },
    )
    assert response.status_code == 200, response.text
    items = {i["bId"]: i for i in response.json()["BatchItemResponse"]}
    assert items["1"]["PaymentMethod"]["Name"] == "Bank transfer"
    assert items["2"]["Fault"]["Error"][0]["code"] == "6240"
    changed = au.get("cdc", entities="PaymentMethod", changedSince=since)
    assert changed.status_code == 200, changed.text
    [answer] = changed.json()["CDCResponse"][0]["QueryResponse"]
    assert {r["Name"] for r in answer["PaymentMethod"]} == set(DEFAULTS) | {"Bank transfer"}
