"""A US company's pseudo tax codes TAX and NON (issue 17, item 5), as Intuit documents them:
the TaxCode entity reference ("TaxGroup ... false - this object represents pseudo-tax codes
TAX and NON"; "Taxable ... Always true, except for the pseudo taxcode NON") and its sample
answer to ``select * From TaxCode`` on a US company (TAX and NON first, Id = Name, no Active,
SyncToken or rate lists); "Manage sales tax for US locales": each line is TAX or NON, the
transaction's tax code is a tax group."""

from __future__ import annotations


def _line(company, amount, code):
    return {
        "Amount": amount,
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {
            "ItemRef": {"value": company.info["service_item_id"]},
            "Qty": 1,
            "UnitPrice": amount,
            "TaxCodeRef": {"value": code},
        },
    }


def test_a_us_company_lists_tax_and_non_first_as_quickbooks_documents_them(us):
    codes = us.query("select * from TaxCode")["TaxCode"]
    assert [c["Name"] for c in codes] == ["TAX", "NON", "California", "New York City"]
    tax, non = codes[0], codes[1]
    assert {k: v for k, v in tax.items() if k != "MetaData"} == {
        "Id": "TAX",
        "Name": "TAX",
        "Description": "TAX",
        "Taxable": True,
        "TaxGroup": False,
    }
    assert {k: v for k, v in non.items() if k != "MetaData"} == {
        "Id": "NON",
        "Name": "NON",
        "Description": "NON",
        "Taxable": False,
        "TaxGroup": False,
    }
    assert set(tax["MetaData"]) == {"CreateTime", "LastUpdatedTime"}
    # The real codes are tax groups, even of one rate (Intuit's California sample).
    assert [(c["TaxGroup"], c["Active"]) for c in codes[2:]] == [(True, True), (True, True)]
    assert us.info["tax_codes"]["TAX"] == "TAX" and us.info["tax_codes"]["NON"] == "NON"


def test_the_pseudo_codes_answer_every_way_a_client_asks(us):
    assert us.query("select count(*) from TaxCode")["totalCount"] == 4
    assert [c["Id"] for c in us.query("select * from TaxCode where Name = 'tax'")["TaxCode"]] == ["TAX"]
    assert [c["Id"] for c in us.query("select * from TaxCode where Id in ('NON', 'TAX')")["TaxCode"]] == ["TAX", "NON"]
    # Without Active they count as active: listed by "Active = true" and "in (true, false)",
    # never as inactive.
    assert len(us.query("select * from TaxCode where Active = true")["TaxCode"]) == 4
    assert len(us.query("select * from TaxCode where Active in (true, false)")["TaxCode"]) == 4
    assert us.query("select * from TaxCode where Active = false") == {}
    # Ordering by Id mixes them with numbered Ids without failing (numbers first: unconfirmed).
    ordered = [c["Id"] for c in us.query("select * from TaxCode order by Id")["TaxCode"]]
    assert ordered[-2:] == ["NON", "TAX"] and all(i.isdigit() for i in ordered[:-2])
    assert us.get("taxcode/NON").json()["TaxCode"]["Taxable"] is False
    # In a batch too.
    batch = us.ok("batch", {"BatchItemRequest": [{"bId": "1", "Query": "select * from TaxCode where Name = 'NON'"}]})
    assert batch[0]["QueryResponse"]["TaxCode"][0]["Id"] == "NON"


def test_the_pseudo_codes_cannot_be_changed_but_real_codes_still_can(us):
    error = us.fault("taxcode", {"Id": "TAX", "SyncToken": "0", "sparse": True, "Active": False})
    assert error["code"] == "500" and "TaxCode TAX" in error["Detail"]
    assert us.query("select * from TaxCode where Name = 'TAX'")["TaxCode"][0]["Id"] == "TAX"
    california = us.info["tax_codes"]["California"]
    changed = us.ok("taxcode", {"Id": california, "SyncToken": "0", "sparse": True, "Active": False})
    assert changed["Active"] is False


def test_lines_reference_tax_and_non_and_the_transaction_code_is_a_tax_group(make_company):
    us = make_company("US", {"automated_sales_tax": False})
    customer = us.customer("Pseudo Code Buyer")
    invoice = us.ok(
        "invoice",
        {
            "CustomerRef": {"value": customer["Id"]},
            "Line": [_line(us, 100, "TAX"), _line(us, 40, "NON")],
            "TxnTaxDetail": {"TxnTaxCodeRef": {"value": us.info["tax_codes"]["California"]}},
        },
    )
    sales = [line for line in invoice["Line"] if line["DetailType"] == "SalesItemLineDetail"]
    assert [line["SalesItemLineDetail"]["TaxCodeRef"]["value"] for line in sales] == ["TAX", "NON"]
    assert invoice["TxnTaxDetail"]["TotalTax"] == 8.25  # only the TAX line is taxed
    # TAX and NON mark lines; as the transaction's code they name no rate: refused as before.
    for code in ("TAX", "NON"):
        error = us.fault(
            "invoice",
            {
                "CustomerRef": {"value": customer["Id"]},
                "Line": [_line(us, 10, "TAX")],
                "TxnTaxDetail": {"TxnTaxCodeRef": {"value": code}},
            },
        )
        assert (error["code"], error["element"]) == ("2500", "TxnTaxDetail.TxnTaxCodeRef")


def test_an_item_of_a_us_company_may_say_tax_or_non_and_other_regions_have_neither(us, au):
    item = us.ok("item", {"Name": "Taxable widget", "Type": "NonInventory", "SalesTaxCodeRef": {"value": "TAX"}})
    assert item["SalesTaxCodeRef"]["value"] == "TAX"
    assert (
        us.ok("item", {"Name": "Exempt widget", "Type": "NonInventory", "SalesTaxCodeRef": {"value": "NON"}})["Name"]
        == "Exempt widget"
    )
    assert [c["Name"] for c in au.query("select * from TaxCode where Name in ('TAX', 'NON')").get("TaxCode", [])] == []
    assert (
        au.fault("item", {"Name": "AU widget", "Type": "NonInventory", "SalesTaxCodeRef": {"value": "TAX"}})["code"]
        == "2500"
    )
    assert au.get("taxcode/TAX").status_code == 400
