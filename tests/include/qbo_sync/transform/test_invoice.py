from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

from qbo_sync.money import cents
from qbo_sync.transform.invoice import (
    CompanyMapping,
    Invoice,
    InvoiceLine,
    invoice_payload,
    line_description,
    payload_hash,
    private_note_tag,
    qty_and_unit_price,
)


def line(
    i=1,
    *,
    qty="1",
    price="10.00",
    kind=None,
    value=None,
    rate=1,
    amount=None,
    item="product",
    name="Knee brace",
    desc=None,
):
    qty, price = D(qty), D(price)
    gross = qty * price
    if kind == "percent":
        gross -= gross * D(value) / 100
    elif kind == "fixed":
        gross -= D(value)
    return InvoiceLine(
        i,
        i,
        item,
        name,
        desc,
        qty,
        price,
        kind,
        D(value) if value else None,
        rate,
        D(amount) if amount else cents(gross),
    )


def invoice(lines, tax_mode="exclusive", number="INV-1"):
    return Invoice(
        7,
        1,
        number,
        3,
        "finalized",
        date(2026, 11, 1),
        date(2026, 11, 15),
        tax_mode,
        "AUD",
        None,
        None,
        None,
        "thanks",
        tuple(lines),
    )


AU = CompanyMapping("AU", service_item_id="1", product_item_id="2", tax_codes={1: "10", 2: "11"}, no_tax_code="12")
US = CompanyMapping("US", service_item_id="1", product_item_id="2", tax_codes={1: "5", 2: "NON"})


def test_undiscounted_line_keeps_its_quantity_and_price():
    assert qty_and_unit_price(line(qty="3", price="12.50")) == (D("3"), D("12.50"))


def test_percent_discount_goes_into_the_unit_price_and_amount_stays_exact():
    ln = line(qty="3", price="10.00", kind="percent", value="10")
    qty, unit = qty_and_unit_price(ln)
    assert ln.amount == D("27.00")
    assert qty == 3 and cents(qty * unit) == ln.amount


def test_fixed_discount_that_does_not_divide_evenly_still_rounds_to_the_amount():
    ln = line(qty="3", price="10.00", kind="fixed", value="1.00")
    qty, unit = qty_and_unit_price(ln)
    assert ln.amount == D("29.00")
    assert unit == D("9.6666667") and cents(qty * unit) == D("29.00")


def test_quantity_that_cannot_carry_the_amount_falls_back_to_one_unit():
    ln = line(qty="0", price="10.00", amount="5.00")
    assert qty_and_unit_price(ln) == (D(1), D("5.00"))


def test_description_keeps_the_app_item_name_and_the_discount():
    text = line_description(line(kind="percent", value="12.5", desc="left knee"))
    assert text == "Knee brace - left knee (12.5% discount)"


def test_description_is_cut_to_quickbooks_limit():
    assert len(line_description(line(desc="x" * 5000))) == 4000


def test_au_invoice_payload():
    payload = invoice_payload(
        invoice([line(1, item="service", name="Consult", price="90.00"), line(2, rate=2)]),
        customer_qbo_id="58",
        mapping=AU,
    )
    assert payload["DocNumber"] == "INV-1"
    assert payload["CustomerRef"] == {"value": "58"}
    assert payload["GlobalTaxCalculation"] == "TaxExcluded"
    assert payload["PrivateNote"] == private_note_tag("invoice", 7)
    first, second = payload["Line"]
    assert first["SalesItemLineDetail"]["ItemRef"] == {"value": "1"}  # service -> default Service
    assert second["SalesItemLineDetail"]["ItemRef"] == {"value": "2"}  # product -> default Product
    assert first["SalesItemLineDetail"]["TaxCodeRef"] == {"value": "10"}
    assert second["SalesItemLineDetail"]["TaxCodeRef"] == {"value": "11"}
    assert first["Amount"] == 90 and payload["DueDate"] == "2026-11-15"
    assert payload["CustomerMemo"] == {"value": "thanks"}


def test_inclusive_and_untaxed_modes():
    assert (
        invoice_payload(invoice([line()], "inclusive"), customer_qbo_id="1", mapping=AU)["GlobalTaxCalculation"]
        == "TaxInclusive"
    )
    untaxed = invoice_payload(invoice([line(rate=None)], "none"), customer_qbo_id="1", mapping=AU)
    assert untaxed["GlobalTaxCalculation"] == "NotApplicable"
    # Outside the US an untaxed line still carries a code: the tenant's no-tax code.
    assert untaxed["Line"][0]["SalesItemLineDetail"]["TaxCodeRef"] == {"value": "12"}


def test_us_invoice_uses_tax_non_and_one_transaction_code():
    payload = invoice_payload(invoice([line(1, rate=1), line(2, rate=2)]), customer_qbo_id="1", mapping=US)
    codes = [ln["SalesItemLineDetail"]["TaxCodeRef"]["value"] for ln in payload["Line"]]
    assert codes == ["TAX", "NON"]
    # The app's tax is now stated explicitly (transform/tax.py); this invoice's is 0 (no totals set).
    assert payload["TxnTaxDetail"] == {"TxnTaxCodeRef": {"value": "5"}, "TotalTax": 0}
    assert "GlobalTaxCalculation" not in payload


def test_us_rate_linked_to_the_pseudo_code_tax_sends_no_transaction_code():
    # TAX marks a line taxable; the transaction's code is a tax group, which automated sales
    # tax assigns (Intuit, "Manage sales tax for US locales"): none is sent.
    mapping = CompanyMapping("US", service_item_id="1", product_item_id="2", tax_codes={1: "TAX", 2: "NON"})
    payload = invoice_payload(invoice([line(1, rate=1), line(2, rate=2)]), customer_qbo_id="1", mapping=mapping)
    assert [ln["SalesItemLineDetail"]["TaxCodeRef"]["value"] for ln in payload["Line"]] == ["TAX", "NON"]
    assert "TxnTaxDetail" not in payload  # no tax to state, no code to send
    taxed = replace(invoice([line(1, rate=1), line(2, rate=2)]), tax_total=D("0.83"))
    assert invoice_payload(taxed, customer_qbo_id="1", mapping=mapping)["TxnTaxDetail"] == {"TotalTax": D("0.83")}


def test_payload_hash_is_stable_and_sensitive():
    a = invoice_payload(invoice([line()]), customer_qbo_id="1", mapping=AU)
    b = invoice_payload(invoice([line()]), customer_qbo_id="1", mapping=AU)
    c = invoice_payload(invoice([line(price="10.01")]), customer_qbo_id="1", mapping=AU)
    assert payload_hash(a) == payload_hash(b) != payload_hash(c)
