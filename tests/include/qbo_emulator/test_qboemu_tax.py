"""Tax: TotalAmt / TxnTaxDetail per region and GlobalTaxCalculation, discounts, tax-code faults."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from qbo_emulator.tax import TAX_EXCLUDED, TAX_INCLUSIVE, Rate, allocate_discount, compute


def _line(company, amount, code_name, qty=None, price=None):
    detail = {
        "ItemRef": {"value": company.info["service_item_id"]},
        "TaxCodeRef": {"value": company.info["tax_codes"][code_name]},
    }
    if qty is not None:
        detail.update(Qty=qty, UnitPrice=price)
    return {"Amount": amount, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": detail}


def _invoice(company, lines, **fields):
    customer = company.customer(f"Tax {len(lines)} {fields.get('GlobalTaxCalculation', '')} {id(lines)}")
    return company.ok("invoice", {"CustomerRef": {"value": customer["Id"]}, "Line": lines, **fields})


def test_au_tax_excluded_rounded_per_line(au):
    # Changed from "grouped per rate": QuickBooks rounds each line's tax, then sums (tax.py).
    # 3 x 33.33 at 10 %: 3 x 3.33 = 9.99 (grouping would give round(9.999) = 10.00).
    lines = [_line(au, 33.33, "GST") for _ in range(3)] + [_line(au, 50, "GST free")]
    invoice = _invoice(au, lines, GlobalTaxCalculation="TaxExcluded")
    assert invoice["TxnTaxDetail"]["TotalTax"] == 9.99
    assert invoice["TotalAmt"] == 159.98
    tax_lines = invoice["TxnTaxDetail"]["TaxLine"]
    by_rate = {t["TaxLineDetail"]["TaxRateRef"]["value"]: t for t in tax_lines}
    gst = by_rate[au.info["tax_rates"]["GST (sales)"]]
    assert gst["Amount"] == 9.99 and gst["TaxLineDetail"]["NetAmountTaxable"] == 99.99
    assert gst["TaxLineDetail"]["TaxPercent"] == 10.0
    assert "OverrideDeltaAmount" not in gst["TaxLineDetail"]
    assert by_rate[au.info["tax_rates"]["GST free (sales)"]]["Amount"] == 0.0


def test_au_tax_inclusive_reads_amount_as_net(au):
    # Changed: Line.Amount is tax-exclusive whatever GlobalTaxCalculation says; the gross is
    # TaxInclusiveAmt (docs/quickbooks-behaviour.md). 100 net + 10 % -> TaxInclusiveAmt 110.
    invoice = _invoice(au, [_line(au, 100, "GST"), _line(au, 20, "GST free")], GlobalTaxCalculation="TaxInclusive")
    assert invoice["TxnTaxDetail"]["TotalTax"] == 10.0
    assert invoice["TotalAmt"] == 130.0
    assert invoice["GlobalTaxCalculation"] == "TaxInclusive"
    sales = [line for line in invoice["Line"] if line["DetailType"] == "SalesItemLineDetail"]
    assert [line["SalesItemLineDetail"]["TaxInclusiveAmt"] for line in sales] == [110.0, 20.0]
    assert [line["Amount"] for line in sales] == [100.0, 20.0]


def test_not_applicable_has_no_tax(au):
    invoice = _invoice(au, [_line(au, 110, "GST")], GlobalTaxCalculation="NotApplicable")
    assert invoice["TxnTaxDetail"]["TotalTax"] == 0 and invoice["TotalAmt"] == 110.0


def test_percent_discount_before_tax_prorated(au):
    discount = {
        "Amount": 0,
        "DetailType": "DiscountLineDetail",
        "DiscountLineDetail": {"PercentBased": True, "DiscountPercent": 10},
    }
    invoice = _invoice(
        au, [_line(au, 100, "GST"), _line(au, 100, "GST free"), discount], GlobalTaxCalculation="TaxExcluded"
    )
    # 10 % of 200 = 20, 10 on each line; GST on 90 = 9.00.
    assert invoice["TxnTaxDetail"]["TotalTax"] == 9.0
    assert invoice["TotalAmt"] == 189.0
    discount_line = next(line for line in invoice["Line"] if line["DetailType"] == "DiscountLineDetail")
    assert discount_line["Amount"] == 20.0


def test_fixed_discount_prorated_by_amount(au):
    discount = {"Amount": 30, "DetailType": "DiscountLineDetail", "DiscountLineDetail": {"PercentBased": False}}
    invoice = _invoice(au, [_line(au, 200, "GST"), _line(au, 100, "GST free"), discount])
    # 30 spread 20/10: GST on 180 = 18.00.
    assert invoice["TxnTaxDetail"]["TotalTax"] == 18.0
    assert invoice["TotalAmt"] == 288.0


def test_uk_rates(uk):
    invoice = _invoice(
        uk, [_line(uk, 100, "20.0% S"), _line(uk, 100, "5.0% R"), _line(uk, 100, "0.0% Z"), _line(uk, 100, "Exempt")]
    )
    assert invoice["TxnTaxDetail"]["TotalTax"] == 25.0
    assert invoice["TotalAmt"] == 425.0


def test_us_line_codes_and_transaction_tax_code(make_company):
    # A US company on the older (non-AST) model: the TxnTaxCodeRef sent is used.
    us = make_company("US", {"automated_sales_tax": False})
    customer = us.customer("US Buyer")
    lines = [_line(us, 100, "TAX"), _line(us, 50, "NON")]
    invoice = us.ok(
        "invoice",
        {
            "CustomerRef": {"value": customer["Id"]},
            "Line": lines,
            "GlobalTaxCalculation": "TaxInclusive",
            "TxnTaxDetail": {"TxnTaxCodeRef": {"value": us.info["tax_codes"]["California"]}},
        },
    )
    assert invoice["TxnTaxDetail"]["TotalTax"] == 8.25  # US ignores GlobalTaxCalculation
    assert invoice["TotalAmt"] == 158.25
    assert "GlobalTaxCalculation" not in invoice
    nyc = us.ok(
        "invoice",
        {
            "CustomerRef": {"value": customer["Id"]},
            "Line": [_line(us, 100, "TAX")],
            "TxnTaxDetail": {"TxnTaxCodeRef": {"value": us.info["tax_codes"]["New York City"]}},
        },
    )
    assert [t["Amount"] for t in nyc["TxnTaxDetail"]["TaxLine"]] == [4.0, 4.88]
    assert nyc["TotalAmt"] == 108.88
    prefs = us.get("preferences").json()["Preferences"]
    assert prefs["TaxPrefs"]["PartnerTaxEnabled"] is False


def test_us_line_with_non_us_code_is_6000(us):
    customer = us.customer("US Bad Code")
    line = _line(us, 10, "TAX")
    line["SalesItemLineDetail"]["TaxCodeRef"] = {"value": us.info["tax_codes"]["California"]}
    assert us.fault("invoice", {"CustomerRef": {"value": customer["Id"]}, "Line": [line]})["code"] == "6000"


def test_missing_tax_code_outside_us_is_6000(au):
    customer = au.customer("No Tax Code")
    line = {"Amount": 10, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {}}
    error = au.fault("invoice", {"CustomerRef": {"value": customer["Id"]}, "Line": [line]})
    assert error["code"] == "6000"
    assert error["Message"] == "A business validation error has occurred while processing your request"
    assert error["Detail"].startswith("Business Validation Error:") and "GST" in error["Detail"]


def test_unknown_or_inactive_tax_code_is_6000(au):
    customer = au.customer("Bad Tax Code")
    line = _line(au, 10, "GST")
    line["SalesItemLineDetail"]["TaxCodeRef"] = {"value": "999"}
    error = au.fault("invoice", {"CustomerRef": {"value": customer["Id"]}, "Line": [line]})
    assert error["code"] == "6000" and "tax code" in error["Detail"]
    code_id = au.info["tax_codes"]["N-T"]
    au.ok("taxcode", {"Id": code_id, "SyncToken": "0", "sparse": True, "Active": False})
    line["SalesItemLineDetail"]["TaxCodeRef"] = {"value": code_id}
    assert au.fault("invoice", {"CustomerRef": {"value": customer["Id"]}, "Line": [line]})["code"] == "6000"
    # Inactive tax codes drop out of the default query, like other name lists.
    names = [c["Name"] for c in au.query("select * from TaxCode")["TaxCode"]]
    assert "N-T" not in names and "GST" in names


# --- unit level ------------------------------------------------------------------------------


@given(
    st.lists(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("10000"), places=2), min_size=1, max_size=20),
    st.decimals(min_value=Decimal("0"), max_value=Decimal("1"), places=2),
)
def test_discount_allocation_sums_exactly(amounts, fraction):
    discount = (sum(amounts) * fraction).quantize(Decimal("0.01"))
    shares = allocate_discount(amounts, discount)
    assert sum(shares) == discount
    assert all(share.as_tuple().exponent >= -2 for share in shares)


@given(st.decimals(min_value=Decimal("0"), max_value=Decimal("100000"), places=2))
def test_inclusive_and_exclusive_agree(net):
    # Changed: both read the amount as tax-exclusive; TaxInclusive only adds TaxInclusiveAmt.
    rate = {"1": [Rate("1", "GST", Decimal("10"))]}
    exclusive = compute([(net, "1")], Decimal(0), TAX_EXCLUDED, rate)
    inclusive = compute([(net, "1")], Decimal(0), TAX_INCLUSIVE, rate)
    assert inclusive.total_amt == exclusive.total_amt == net + inclusive.total_tax
    assert inclusive.line_inclusive == [inclusive.total_amt]
