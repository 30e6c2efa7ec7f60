"""QuickBooks' smaller rules (issue 20, point 6): due date from terms, tab and newline in
names, an inactive customer with a balance, voided invoice lines, CDC without tax codes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

# --- DueDate from terms -------------------------------------------------------------------


def test_new_company_has_the_standard_terms_readable_and_queryable(au):
    terms = {t["Name"]: t for t in au.query("select * from Term")["Term"]}
    assert {name: terms[name]["DueDays"] for name in terms} == {
        "Due on receipt": 0,
        "Net 15": 15,
        "Net 30": 30,
        "Net 60": 60,
    }
    net30 = au.info["terms"]["Net 30"]
    assert au.get(f"term/{net30}").json()["Term"]["Name"] == "Net 30"
    assert au.query("select * from Term where Name = 'net 15'")["Term"][0]["DueDays"] == 15


def test_missing_due_date_is_txn_date_plus_the_invoice_terms(au):
    customer = au.customer("Terms Customer")
    invoice = au.invoice(customer["Id"], TxnDate="2026-01-10", SalesTermRef={"value": au.info["terms"]["Net 15"]})
    assert invoice["DueDate"] == "2026-01-25"
    assert invoice["SalesTermRef"]["value"] == au.info["terms"]["Net 15"]
    # A DueDate sent wins over the terms.
    sent = au.invoice(
        customer["Id"], TxnDate="2026-01-10", DueDate="2026-01-12", SalesTermRef={"value": au.info["terms"]["Net 60"]}
    )
    assert sent["DueDate"] == "2026-01-12"


def test_without_terms_the_company_default_terms_apply_else_the_txn_date(qbo, au):
    customer = au.customer("Default Terms")
    assert au.invoice(customer["Id"], TxnDate="2026-03-01")["DueDate"] == "2026-03-01"
    qbo.set_preferences(au.realm_id, default_terms="Net 30")
    prefs = au.get("preferences").json()["Preferences"]
    assert prefs["SalesFormsPrefs"]["DefaultTerms"] == {"value": au.info["terms"]["Net 30"]}
    invoice = au.invoice(customer["Id"], TxnDate="2026-03-01")
    assert invoice["DueDate"] == "2026-03-31"
    assert invoice["SalesTermRef"]["value"] == au.info["terms"]["Net 30"]


def test_unknown_terms_are_2500(au):
    customer = au.customer("Bad Terms")
    error = au.fault(
        "invoice",
        {
            "CustomerRef": {"value": customer["Id"]},
            "SalesTermRef": {"value": "999"},
            "Line": [
                {
                    "Amount": 10,
                    "DetailType": "SalesItemLineDetail",
                    "SalesItemLineDetail": {
                        "ItemRef": {"value": au.info["service_item_id"]},
                        "TaxCodeRef": {"value": au.info["tax_codes"]["GST"]},
                    },
                }
            ],
        },
    )
    assert error["code"] == "2500" and error["element"] == "SalesTermRef"


# --- tab and newline in names -----------------------------------------------------------------


@pytest.mark.parametrize(
    "field,value",
    [
        ("DisplayName", "Tab\tName"),
        ("DisplayName", "New\nLine"),
        ("GivenName", "Jane\tAnn"),
        ("FamilyName", "Smith\r\nJones"),
        ("CompanyName", "Acme\nPty"),
        ("MiddleName", "M\tN"),
    ],
)
def test_tab_or_newline_in_a_name_or_its_parts_is_refused(au, field, value):
    body = {"DisplayName": "Fine Name"} if field != "DisplayName" else {}
    error = au.fault("customer", {**body, field: value})
    assert error["code"] == "6000" and "tab or a new line" in error["Detail"]
    assert error["element"] == field


def test_tab_in_a_vendor_name_is_refused_too(au):
    assert au.fault("vendor", {"DisplayName": "Vendor\tOne"})["code"] == "6000"


# --- an inactive customer with an open balance ---------------------------------------------------


def test_customer_with_an_open_balance_cannot_be_made_inactive(au):
    customer = au.customer("Owes Money")
    invoice = au.invoice(customer["Id"])
    error = au.fault(
        "customer", {"Id": customer["Id"], "SyncToken": customer["SyncToken"], "sparse": True, "Active": False}
    )
    assert error["Message"] == "Delete List Has Balance Error"
    assert "non-zero balance" in error["Detail"]
    # Paid in full (or voided), it can.
    au.ok(
        "payment",
        {
            "CustomerRef": {"value": customer["Id"]},
            "TotalAmt": invoice["TotalAmt"],
            "Line": [{"Amount": invoice["TotalAmt"], "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}],
        },
    )
    done = au.ok(
        "customer", {"Id": customer["Id"], "SyncToken": customer["SyncToken"], "sparse": True, "Active": False}
    )
    assert done["Active"] is False


def test_an_unapplied_payment_is_a_balance_too(au):
    customer = au.customer("Has Credit")
    au.ok("payment", {"CustomerRef": {"value": customer["Id"]}, "TotalAmt": 5})
    error = au.fault("customer", {"Id": customer["Id"], "SyncToken": "0", "sparse": True, "Active": False})
    assert error["Message"] == "Delete List Has Balance Error"


# --- voided invoice lines -------------------------------------------------------------------


def test_voided_invoice_lines_lose_quantity_and_unit_price(au):
    customer = au.customer("Void Lines")
    invoice = au.invoice(customer["Id"], amount="40.00")
    voided = au.ok("invoice", {"Id": invoice["Id"], "SyncToken": invoice["SyncToken"]}, operation="void")
    items = [line for line in voided["Line"] if line["DetailType"] == "SalesItemLineDetail"]
    assert items
    for line in items:
        detail = line["SalesItemLineDetail"]
        assert line["Amount"] == 0 and detail["Qty"] == 0 and detail["UnitPrice"] == 0
        assert detail["ItemRef"]["value"] == au.info["service_item_id"]  # the item stays


# --- CDC without TaxCode and TaxRate -----------------------------------------------------------


@pytest.mark.parametrize("entities", ["TaxCode", "TaxRate", "Invoice,TaxCode"])
def test_cdc_refuses_tax_codes_and_rates(au, entities):
    since = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    response = au.get("cdc", entities=entities, changedSince=since)
    assert response.status_code == 400, response.text
    error = response.json()["Fault"]["Error"][0]
    assert error["element"] == "entities" and "Tax" in error["Detail"]
    assert au.get("cdc", entities="Invoice,Customer", changedSince=since).status_code == 200
