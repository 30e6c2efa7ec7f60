"""The emulator's Item rules, as Intuit documents them (Item entity): Type required on create,
an income account for a Service, a name without colon, tab or new line, SKU at most 100
characters and filterable, a Category never on a transaction line, inactive items left out
of a query unless it asks for them."""

from __future__ import annotations


def _income(company):
    return {"value": company.info["income_account_id"]}


def test_an_item_needs_its_type_and_a_service_its_income_account(au):
    error = au.fault("item", {"Name": "No type", "IncomeAccountRef": _income(au)})
    assert (error["code"], error["element"]) == ("2020", "Type")
    error = au.fault("item", {"Name": "No income", "Type": "Service"})
    assert (error["code"], error["element"]) == ("2020", "IncomeAccountRef")
    # NonInventory without an income account: Intuit does not say; accepted (unconfirmed).
    assert au.ok("item", {"Name": "Brace", "Type": "NonInventory"})["Type"] == "NonInventory"
    made = au.ok("item", {"Name": "Consult", "Type": "Service", "IncomeAccountRef": _income(au), "Sku": "C-1"})
    assert made["IncomeAccountRef"]["value"] == au.info["income_account_id"] and made["Sku"] == "C-1"
    # A full update that leaves the income account out keeps it, the Type too.
    again = au.ok("item", {"Id": made["Id"], "SyncToken": made["SyncToken"], "Name": "Consult"})
    assert again["Type"] == "Service" and again["IncomeAccountRef"]["value"] == au.info["income_account_id"]


def test_item_names_and_skus_follow_quickbooks_limits(au):
    for bad in ("Knee: brace", "Knee\tbrace", "Knee\nbrace"):
        error = au.fault("item", {"Name": bad, "Type": "NonInventory"})
        assert error["code"] == "6000" and error["element"] == "Name", bad
    error = au.fault("item", {"Name": "Long sku", "Type": "NonInventory", "Sku": "S" * 101})
    assert error["element"] == "Sku"
    assert au.ok("item", {"Name": "Sku ok", "Type": "NonInventory", "Sku": "S" * 100})["Sku"] == "S" * 100


def test_sku_is_filterable_and_inactive_items_need_asking_for(au):
    item = au.ok("item", {"Name": "Tape", "Type": "NonInventory", "Sku": "TAPE-5"})
    assert [r["Id"] for r in au.query("select * from Item where Sku = 'TAPE-5'")["Item"]] == [item["Id"]]
    au.ok("item", {"Id": item["Id"], "SyncToken": item["SyncToken"], "sparse": True, "Active": False})
    assert au.query("select * from Item where Sku = 'TAPE-5'").get("Item", []) == []
    rows = au.query("select * from Item where Sku = 'TAPE-5' and Active in (true, false)")["Item"]
    assert [(r["Id"], r["Active"]) for r in rows] == [(item["Id"], False)]


def test_a_category_cannot_go_on_an_invoice_line(au):
    category = au.ok("item", {"Name": "Braces", "Type": "Category"})
    customer = au.customer("Category buyer")
    line = {
        "Amount": 10,
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {
            "ItemRef": {"value": category["Id"]},
            "Qty": 1,
            "UnitPrice": 10,
            "TaxCodeRef": {"value": au.info["tax_codes"]["GST"]},
        },
    }
    error = au.fault("invoice", {"CustomerRef": {"value": customer["Id"]}, "Line": [line]})
    assert error["code"] == "2500" and "Categories cannot be used in transactions" in error["Detail"]
