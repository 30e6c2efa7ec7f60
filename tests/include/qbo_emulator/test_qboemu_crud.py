"""Entities: create/read/update/delete/void with QuickBooks' rules and its fault table."""

from __future__ import annotations

import pytest
import requests

# --- names: customers, vendors, employees --------------------------------------------------


def test_customer_create_read_shape(au):
    created = au.customer("Ada Lovelace (Caspen 00042)", PrimaryEmailAddr={"Address": "ada@example.com"})
    assert created["Id"].isdigit() and created["SyncToken"] == "0"
    assert created["Active"] is True
    assert created["MetaData"]["CreateTime"] == created["MetaData"]["LastUpdatedTime"]
    assert created["MetaData"]["CreateTime"].endswith("+10:00")  # AU companies answer in their offset
    response = au.get(f"customer/{created['Id']}")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"Customer", "time"}
    assert body["Customer"]["DisplayName"] == "Ada Lovelace (Caspen 00042)"


def test_display_name_derived_from_given_family_or_company(au):
    assert au.ok("customer", {"GivenName": "Grace", "FamilyName": "Hopper"})["DisplayName"] == "Grace Hopper"
    assert au.ok("customer", {"CompanyName": "Hopper Pty Ltd"})["DisplayName"] == "Hopper Pty Ltd"


def test_customer_without_any_name_is_6080(au):
    error = au.fault("customer", {"PrimaryEmailAddr": {"Address": "x@example.com"}, "DisplayName": ""})
    assert error["code"] == "6080"
    assert error["Message"] == "No Name Provided"


def test_display_name_unique_across_customers_vendors_employees_case_insensitive(au):
    au.ok("vendor", {"DisplayName": "Jo Bloggs"})
    error = au.fault("customer", {"DisplayName": "JO BLOGGS"})
    assert error["code"] == "6240"
    assert error["Message"] == "Duplicate Name Exists Error"
    assert error["Detail"] == (
        "The name supplied already exists. : Another customer, vendor or employee is "
        "already using this name. Please use a different name."
    )
    au.ok("employee", {"GivenName": "Sam", "FamilyName": "Smith"})
    assert au.fault("customer", {"DisplayName": "sam smith"})["code"] == "6240"


def test_inactive_customer_still_holds_its_name(au):
    customer = au.customer("Old Client")
    au.ok("customer", {"Id": customer["Id"], "SyncToken": customer["SyncToken"], "sparse": True, "Active": False})
    assert au.fault("customer", {"DisplayName": "old client"})["code"] == "6240"


def test_display_name_colon_rejected(au):
    error = au.fault("customer", {"DisplayName": "Parent:Child"})
    assert error["code"] == "6000"
    assert "colon" in error["Detail"]


def test_name_lengths_2050(au):
    error = au.fault("customer", {"DisplayName": "x" * 501})
    assert (error["code"], error["element"]) == ("2050", "DisplayName")
    assert "Max:500" in error["Detail"] and "Supplied length:501" in error["Detail"]
    error = au.fault("customer", {"GivenName": "g" * 101, "FamilyName": "f"})
    assert (error["code"], error["element"]) == ("2050", "GivenName")


def test_sub_customer_needs_existing_parent(au):
    assert au.fault("customer", {"DisplayName": "Kid", "Job": True, "ParentRef": {"value": "99999"}})["code"] == "2500"
    parent = au.customer("Parent Co")
    child = au.ok("customer", {"DisplayName": "Kid", "Job": True, "ParentRef": {"value": parent["Id"]}})
    assert child["FullyQualifiedName"] == "Parent Co:Kid" and child["Job"] is True and child["Level"] == 1


def test_names_cannot_be_deleted_only_made_inactive(au):
    customer = au.customer("Permanent")
    error = au.fault("customer", {"Id": customer["Id"], "SyncToken": "0"}, operation="delete")
    assert error["code"] == "500"
    assert au.get(f"customer/{customer['Id']}").status_code == 200


def test_stale_sync_token_5010_and_sync_token_bumps(au):
    customer = au.customer("Versioned")
    updated = au.ok("customer", {"Id": customer["Id"], "SyncToken": "0", "sparse": True, "Notes": "v1"})
    assert updated["SyncToken"] == "1" and updated["Notes"] == "v1"
    error = au.fault("customer", {"Id": customer["Id"], "SyncToken": "0", "sparse": True, "Notes": "v2"})
    assert error["code"] == "5010"
    assert error["Message"] == "Stale Object Error"
    assert error["Detail"].startswith("Stale Object Error : You and ")


def test_full_update_clears_omitted_fields_sparse_keeps_them(au):
    customer = au.customer("Full Update", Notes="keep?", CompanyName="Co")
    sparse = au.ok("customer", {"Id": customer["Id"], "SyncToken": "0", "sparse": True, "Notes": "kept"})
    assert sparse["CompanyName"] == "Co"
    full = au.ok("customer", {"Id": customer["Id"], "SyncToken": "1", "DisplayName": "Full Update"})
    assert "CompanyName" not in full and "Notes" not in full


def test_read_missing_is_610(au):
    response = au.get("customer/987654")
    assert response.status_code == 400
    error = response.json()["Fault"]["Error"][0]
    assert error["code"] == "610" and error["Message"] == "Object Not Found"


def test_item_name_unique_and_required(au):
    assert au.fault("item", {"Type": "Service"})["code"] == "2020"
    assert au.fault("item", {"Name": "services", "Type": "Service"})["code"] == "6240"
    income = {"value": au.info["income_account_id"]}
    item = au.ok("item", {"Name": "Consulting", "Type": "Service", "UnitPrice": 150, "IncomeAccountRef": income})
    assert item["IncomeAccountRef"]["value"] == au.info["income_account_id"]
    assert item["UnitPrice"] == 150.0


# --- invoices --------------------------------------------------------------------------------


def test_invoice_without_line_is_2020(au):
    customer = au.customer("No Lines")
    error = au.fault("invoice", {"CustomerRef": {"value": customer["Id"]}, "Line": []})
    assert error == {
        "Message": "Required param missing, need to supply the required value for the API",
        "Detail": "Required parameter Line is missing in the request.",
        "code": "2020",
        "element": "Line",
    }


def test_invoice_shape_and_numbers(au):
    customer = au.customer("Shape")
    invoice = au.invoice(customer["Id"], "55.00", DocNumber="INV-1")
    assert invoice["TotalAmt"] == 60.5 and invoice["Balance"] == 60.5
    assert isinstance(invoice["TotalAmt"], float)
    assert invoice["TxnTaxDetail"]["TotalTax"] == 5.5
    assert invoice["CustomerRef"] == {"value": customer["Id"], "name": "Shape"}
    assert [line["DetailType"] for line in invoice["Line"]] == ["SalesItemLineDetail", "SubTotalLineDetail"]
    assert invoice["Line"][1]["Amount"] == 55.0
    assert invoice["SyncToken"] == "0" and invoice["DocNumber"] == "INV-1"


def test_doc_number_too_long_2050(au):
    customer = au.customer("Long Doc")
    line = {
        "Amount": 1,
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {"TaxCodeRef": {"value": au.info["tax_codes"]["GST"]}},
    }
    error = au.fault("invoice", {"CustomerRef": {"value": customer["Id"]}, "Line": [line], "DocNumber": "D" * 22})
    assert (error["code"], error["element"]) == ("2050", "DocNumber")
    assert "Max:21" in error["Detail"] and "Supplied length:22" in error["Detail"]


def test_duplicate_doc_number_6140_and_bypass(au):
    customer = au.customer("Dup Doc")
    first = au.invoice(customer["Id"], DocNumber="INV-9")
    response = au.post(
        "invoice", {"CustomerRef": {"value": customer["Id"]}, "DocNumber": "INV-9", "Line": first["Line"][:1]}
    )
    assert response.status_code == 400
    error = response.json()["Fault"]["Error"][0]
    assert error["code"] == "6140" and error["Message"] == "Duplicate Document Number Error"
    assert error["Detail"].endswith(f"DocNumber=INV-9 is assigned to TxnType=Invoice with TxnId={first['Id']}")
    again = au.ok(
        "invoice",
        {"CustomerRef": {"value": customer["Id"]}, "DocNumber": "INV-9", "Line": first["Line"][:1]},
        include="allowduplicatedocnum",
    )
    assert again["DocNumber"] == "INV-9" and again["Id"] != first["Id"]


def test_duplicate_doc_number_allowed_when_warning_off(make_company):
    company = make_company(preferences={"duplicate_doc_number_warning": False})
    customer = company.customer("Warn Off")
    company.invoice(customer["Id"], DocNumber="A-1")
    assert company.invoice(customer["Id"], DocNumber="A-1")["DocNumber"] == "A-1"


def test_auto_doc_numbers_when_custom_numbers_off(make_company):
    company = make_company(preferences={"custom_txn_numbers": False})
    customer = company.customer("Auto Numbers")
    first = company.invoice(customer["Id"])
    second = company.invoice(customer["Id"])
    assert int(second["DocNumber"]) == int(first["DocNumber"]) + 1


def test_invalid_references_2500_with_element(au):
    customer = au.customer("Refs")
    line = {
        "Amount": 10,
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {"ItemRef": {"value": "424242"}, "TaxCodeRef": {"value": au.info["tax_codes"]["GST"]}},
    }
    error = au.fault("invoice", {"CustomerRef": {"value": customer["Id"]}, "Line": [line]})
    assert (error["code"], error["element"]) == ("2500", "Line.SalesItemLineDetail.ItemRef")
    assert error["Message"] == "Invalid Reference Id"
    assert error["Detail"].startswith("Invalid Reference Id : Something you're trying to use has been made inactive")
    line["SalesItemLineDetail"]["ItemRef"] = {"value": au.info["service_item_id"]}
    error = au.fault("invoice", {"CustomerRef": {"value": "424242"}, "Line": [line]})
    assert (error["code"], error["element"]) == ("2500", "CustomerRef")


def test_inactive_item_is_2500(au):
    item = au.ok(
        "item", {"Name": "Retired", "Type": "Service", "IncomeAccountRef": {"value": au.info["income_account_id"]}}
    )
    au.ok("item", {"Id": item["Id"], "SyncToken": item["SyncToken"], "sparse": True, "Active": False})
    customer = au.customer("Uses Retired")
    line = {
        "Amount": 10,
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {"ItemRef": {"value": item["Id"]}, "TaxCodeRef": {"value": au.info["tax_codes"]["GST"]}},
    }
    assert au.fault("invoice", {"CustomerRef": {"value": customer["Id"]}, "Line": [line]})["code"] == "2500"


def test_inactive_customer_on_invoice_is_6250_on_payment_610(au):
    customer = au.customer("Gone Inactive")
    invoice = au.invoice(customer["Id"])
    # Issue 20: a customer that owes money cannot be made inactive, so the invoice is voided first.
    au.ok("invoice", {"Id": invoice["Id"], "SyncToken": invoice["SyncToken"]}, operation="void")
    au.ok("customer", {"Id": customer["Id"], "SyncToken": "0", "sparse": True, "Active": False})
    error = au.fault("invoice", {"CustomerRef": {"value": customer["Id"]}, "Line": invoice["Line"][:1]})
    assert error["code"] == "6250"
    error = au.fault("payment", {"CustomerRef": {"value": customer["Id"]}, "TotalAmt": 1})
    assert error["code"] == "610"


def test_amount_must_equal_qty_times_unit_price_6070(au):
    customer = au.customer("Math")
    line = {
        "Amount": 31.0,
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {"Qty": 3, "UnitPrice": 10, "TaxCodeRef": {"value": au.info["tax_codes"]["GST"]}},
    }
    error = au.fault("invoice", {"CustomerRef": {"value": customer["Id"]}, "Line": [line]})
    assert error["code"] == "6070"
    assert "Amount is not equal to UnitPrice * Qty" in error["Detail"]
    line["Amount"] = 30.0
    assert au.ok("invoice", {"CustomerRef": {"value": customer["Id"]}, "Line": [line]})["TotalAmt"] == 33.0
    # Rounded to cents: 3 x 3.333 = 9.999 -> 10.00
    line.update(Amount=10.0)
    line["SalesItemLineDetail"].update(Qty=3, UnitPrice=3.333)
    assert au.ok("invoice", {"CustomerRef": {"value": customer["Id"]}, "Line": [line]})["Line"][0]["Amount"] == 10.0


def test_closed_books_6210(qbo, make_company):
    company = make_company(preferences={"closed_books_date": "2024-06-30"})
    customer = company.customer("Closed")
    line = {
        "Amount": 10,
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {"TaxCodeRef": {"value": company.info["tax_codes"]["GST"]}},
    }
    error = company.fault(
        "invoice", {"CustomerRef": {"value": customer["Id"]}, "Line": [line], "TxnDate": "2024-06-30"}
    )
    assert error["code"] == "6210"
    assert error["Message"] == "Account Period Closed, Cannot Update Through Services API"
    ok = company.ok("invoice", {"CustomerRef": {"value": customer["Id"]}, "Line": [line], "TxnDate": "2024-07-01"})
    # Closing later also blocks changing the existing invoice.
    qbo.set_preferences(company.realm_id, closed_books_date="2024-12-31")
    error = company.fault("invoice", {"Id": ok["Id"], "SyncToken": ok["SyncToken"]}, operation="delete")
    assert error["code"] == "6210"


def test_delete_then_read_or_update_is_610(au):
    customer = au.customer("Deleter")
    invoice = au.invoice(customer["Id"])
    deleted = au.ok("invoice", {"Id": invoice["Id"], "SyncToken": invoice["SyncToken"]}, operation="delete")
    assert deleted == {"Id": invoice["Id"], "status": "Deleted", "domain": "QBO"}
    response = au.get(f"invoice/{invoice['Id']}")
    error = response.json()["Fault"]["Error"][0]
    assert response.status_code == 400 and error["code"] == "610"
    assert "deleted" in error["Detail"]
    error = au.fault(
        "invoice", {"Id": invoice["Id"], "SyncToken": invoice["SyncToken"], "sparse": True, "PrivateNote": "x"}
    )
    assert error["code"] == "610"


def test_void_invoice(au):
    customer = au.customer("Voider")
    invoice = au.invoice(customer["Id"], PrivateNote="from billing #7")
    voided = au.ok("invoice", {"Id": invoice["Id"], "SyncToken": invoice["SyncToken"]}, operation="void")
    assert voided["TotalAmt"] == 0 and voided["Balance"] == 0
    assert voided["PrivateNote"] == "Voided - from billing #7"
    assert voided["SyncToken"] == "1"
    assert all(line["Amount"] == 0 for line in voided["Line"])
    plain = au.invoice(customer["Id"])
    assert au.ok("invoice", {"Id": plain["Id"], "SyncToken": "0"}, operation="void")["PrivateNote"] == "Voided"


# --- payments and credit memos ----------------------------------------------------------------


def _pay(company, customer_id, total, links):
    lines = [
        {"Amount": amount, "LinkedTxn": [{"TxnId": txn_id, "TxnType": txn_type}]} for txn_id, txn_type, amount in links
    ]
    return company.ok(
        "payment", {"CustomerRef": {"value": customer_id}, "TotalAmt": total, "Line": lines, "PaymentRefNum": "PAY-1"}
    )


def test_payment_reduces_balance_and_bumps_invoice_sync_token(au):
    customer = au.customer("Payer")
    invoice = au.invoice(customer["Id"], "100.00")  # 110.00 with GST
    payment = _pay(au, customer["Id"], 150, [(invoice["Id"], "Invoice", 60)])
    assert payment["UnappliedAmt"] == 90.0
    assert payment["DepositToAccountRef"]["value"] == au.info["undeposited_funds_account_id"]
    after = au.get(f"invoice/{invoice['Id']}").json()["Invoice"]
    assert after["Balance"] == 50.0 and after["SyncToken"] == "1"
    assert {"TxnId": payment["Id"], "TxnType": "Payment"} in after["LinkedTxn"]
    # Stale token after the payment: the classic 5010 when re-pushing an invoice.
    error = au.fault("invoice", {"Id": invoice["Id"], "SyncToken": "0", "sparse": True, "PrivateNote": "x"})
    assert error["code"] == "5010"


def test_overpaying_an_invoice_is_refused(au):
    customer = au.customer("Over")
    invoice = au.invoice(customer["Id"], "10.00")
    error = au.fault(
        "payment",
        {
            "CustomerRef": {"value": customer["Id"]},
            "TotalAmt": 20,
            "Line": [{"Amount": 20, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}],
        },
    )
    assert error["code"] == "6000"


def test_payment_of_other_customers_invoice_620(au):
    alice = au.customer("Alice 620")
    bob = au.customer("Bob 620")
    invoice = au.invoice(alice["Id"])
    error = au.fault(
        "payment",
        {
            "CustomerRef": {"value": bob["Id"]},
            "TotalAmt": 10,
            "Line": [{"Amount": 10, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}],
        },
    )
    assert error["code"] == "620" and error["Message"] == "TxnID Cannot Be Linked"


def test_a_payment_reference_is_kept_by_a_sparse_empty_string_and_cleared_by_a_full_update(au):
    customer = au.customer("Ref Clearer")
    invoice = au.invoice(customer["Id"], "100.00")
    payment = _pay(au, customer["Id"], 50, [(invoice["Id"], "Invoice", 50)])
    sparse = au.ok("payment", {"Id": payment["Id"], "SyncToken": "0", "sparse": True, "PaymentRefNum": ""})
    assert sparse["PaymentRefNum"] == "PAY-1" and sparse["SyncToken"] == "1"
    kept = {k: sparse[k] for k in ("CustomerRef", "TotalAmt", "Line", "DepositToAccountRef")}
    full = au.ok("payment", {"Id": payment["Id"], "SyncToken": "1", **kept})
    assert "PaymentRefNum" not in full and full["TotalAmt"] == 50.0
    assert au.get(f"invoice/{invoice['Id']}").json()["Invoice"]["Balance"] == 60.0


def test_an_invoice_with_payments_applied_cannot_move_to_another_customer_620(au):
    alice = au.customer("Alice Mover")
    bob = au.customer("Bob Mover")
    invoice = au.invoice(alice["Id"], "100.00")
    payment = _pay(au, alice["Id"], 50, [(invoice["Id"], "Invoice", 50)])
    current = au.get(f"invoice/{invoice['Id']}").json()["Invoice"]
    moved = {
        "Id": invoice["Id"],
        "SyncToken": current["SyncToken"],
        "sparse": True,
        "CustomerRef": {"value": bob["Id"]},
    }
    error = au.fault("invoice", moved)
    assert error["code"] == "620" and payment["Id"] in error["Detail"]
    unapplied = {"Id": payment["Id"], "SyncToken": payment["SyncToken"], "sparse": True, "Line": []}
    au.ok("payment", unapplied)
    current = au.get(f"invoice/{invoice['Id']}").json()["Invoice"]
    after = au.ok("invoice", {**moved, "SyncToken": current["SyncToken"]})
    assert after["CustomerRef"]["value"] == bob["Id"]


def test_payment_required_fields_and_ref_num_length(au):
    customer = au.customer("Pay Fields")
    assert au.fault("payment", {"CustomerRef": {"value": customer["Id"]}})["code"] == "2020"
    error = au.fault("payment", {"CustomerRef": {"value": customer["Id"]}, "TotalAmt": 5, "PaymentRefNum": "R" * 22})
    assert (error["code"], error["element"]) == ("2050", "PaymentRefNum")
    unapplied = au.ok("payment", {"CustomerRef": {"value": customer["Id"]}, "TotalAmt": 5})
    assert unapplied["UnappliedAmt"] == 5.0 and unapplied["Line"] == []


def test_credit_memo_applied_through_payment(au):
    customer = au.customer("Credit User")
    invoice = au.invoice(customer["Id"], "100.00")  # 110
    memo = au.ok("creditmemo", {"CustomerRef": {"value": customer["Id"]}, "Line": invoice["Line"][:1]})
    assert memo["RemainingCredit"] == 110.0
    line = {
        "Amount": 20,
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {"TaxCodeRef": {"value": au.info["tax_codes"]["GST free"]}},
    }
    small = au.ok("creditmemo", {"CustomerRef": {"value": customer["Id"]}, "Line": [line]})
    payment = _pay(au, customer["Id"], 90, [(invoice["Id"], "Invoice", 110), (small["Id"], "CreditMemo", 20)])
    assert payment["UnappliedAmt"] == 0.0
    assert au.get(f"invoice/{invoice['Id']}").json()["Invoice"]["Balance"] == 0.0
    assert au.get(f"creditmemo/{small['Id']}").json()["CreditMemo"]["RemainingCredit"] == 0.0


def test_void_and_delete_payment_restore_balances(au):
    customer = au.customer("Restore")
    invoice = au.invoice(customer["Id"], "100.00")
    payment = _pay(au, customer["Id"], 110, [(invoice["Id"], "Invoice", 110)])
    voided = au.ok(
        "payment",
        {"Id": payment["Id"], "SyncToken": payment["SyncToken"], "sparse": True},
        operation="update",
        include="void",
    )
    assert voided["TotalAmt"] == 0 and voided["PrivateNote"] == "Voided"
    assert au.get(f"invoice/{invoice['Id']}").json()["Invoice"]["Balance"] == 110.0
    second = _pay(au, customer["Id"], 50, [(invoice["Id"], "Invoice", 50)])
    assert au.get(f"invoice/{invoice['Id']}").json()["Invoice"]["Balance"] == 60.0
    au.ok("payment", {"Id": second["Id"], "SyncToken": second["SyncToken"]}, operation="delete")
    assert au.get(f"invoice/{invoice['Id']}").json()["Invoice"]["Balance"] == 110.0


def test_invoice_with_payment_cannot_be_deleted_but_void_unlinks(au):
    customer = au.customer("Linked")
    invoice = au.invoice(customer["Id"], "100.00")
    payment = _pay(au, customer["Id"], 110, [(invoice["Id"], "Invoice", 110)])
    current = au.get(f"invoice/{invoice['Id']}").json()["Invoice"]
    error = au.fault("invoice", {"Id": current["Id"], "SyncToken": current["SyncToken"]}, operation="delete")
    assert error["code"] == "6000" and "payments" in error["Detail"]
    voided = au.ok("invoice", {"Id": current["Id"], "SyncToken": current["SyncToken"]}, operation="void")
    assert voided["Balance"] == 0 and voided["LinkedTxn"] == []
    after = au.get(f"payment/{payment['Id']}").json()["Payment"]
    assert after["UnappliedAmt"] == 110.0 and after["Line"] == [] and after["SyncToken"] == "1"


def test_invoice_total_cannot_drop_below_paid(au):
    customer = au.customer("Shrink")
    invoice = au.invoice(customer["Id"], "100.00")
    _pay(au, customer["Id"], 100, [(invoice["Id"], "Invoice", 100)])
    current = au.get(f"invoice/{invoice['Id']}").json()["Invoice"]
    line = dict(current["Line"][0], Amount=10.0)
    line["SalesItemLineDetail"] = dict(line["SalesItemLineDetail"], UnitPrice=10.0)
    error = au.fault(
        "invoice", {"Id": current["Id"], "SyncToken": current["SyncToken"], "sparse": True, "Line": [line]}
    )
    assert error["code"] == "6000"


@pytest.mark.parametrize("path", ["preferences", "companyinfo/REALM"])
def test_preferences_and_company_info(au, path):
    response = au.get(path.replace("REALM", au.realm_id))
    assert response.status_code == 200
    body = response.json()
    if path == "preferences":
        assert body["Preferences"]["SalesFormsPrefs"]["CustomTxnNumbers"] is True
    else:
        assert body["CompanyInfo"]["Country"] == "AU"


def test_malformed_bodies_are_validation_faults(au):
    response = au.session.post(f"{au.url}/customer", data=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["Fault"]["Error"][0]["code"] == "2010"
    customer = au.customer("Malformed")
    bad_line = {"Amount": 1, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": "oops"}
    error = au.fault("invoice", {"CustomerRef": {"value": customer["Id"]}, "Line": [bad_line]})
    assert (error["code"], error["element"]) == ("2010", "Line.SalesItemLineDetail")
    error = au.fault("payment", {"CustomerRef": {"value": customer["Id"]}, "TotalAmt": 1, "Line": ["x"]})
    assert error["code"] == "2010"
    assert (
        au.fault(
            "invoice",
            {"CustomerRef": {"value": customer["Id"]}, "Line": [{"Amount": 1, "DetailType": "GroupLineDetail"}]},
        )["code"]
        == "2010"
    )


def test_multicurrency_is_off_until_turned_on_and_never_off_again(qbo, make_company):
    # Intuit's multicurrency guide: off by default, turned on only in QuickBooks' UI (here: the
    # control API), never turned off again; Preferences.CurrencyPrefs shows it.
    company = make_company(region="UK")

    def currency_prefs():
        return company.get("preferences").json()["Preferences"]["CurrencyPrefs"]

    assert currency_prefs() == {"MultiCurrencyEnabled": False, "HomeCurrency": {"value": "GBP"}}
    qbo.set_preferences(company.realm_id, multicurrency=True)
    assert currency_prefs()["MultiCurrencyEnabled"] is True
    refused = requests.patch(
        f"{qbo.base_url}/_emulator/companies/{company.realm_id}/preferences", json={"multicurrency": False}, timeout=10
    )
    assert refused.status_code == 400 and "cannot be turned off" in refused.text
    assert currency_prefs()["MultiCurrencyEnabled"] is True
