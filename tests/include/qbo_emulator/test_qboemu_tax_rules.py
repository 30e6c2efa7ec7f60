"""Tax as QuickBooks computes it: per-line rounding, explicit tax (overrides), automated sales
tax on US companies, ApplyTaxAfterDiscount. Sources: include/qbo_emulator/tax.py and
docs/quickbooks-behaviour.md."""

from __future__ import annotations

import itertools
from decimal import Decimal

from qbo_emulator.tax import TAX_EXCLUDED, ExplicitTax, Rate, compute

D = Decimal
_names = itertools.count(1)


def _line(company, amount, code_name, **detail):
    return {
        "Amount": amount,
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {
            "ItemRef": {"value": company.info["service_item_id"]},
            "TaxCodeRef": {"value": company.info["tax_codes"][code_name]},
            **detail,
        },
    }


def _txn(company, path, lines, **fields):
    customer = company.customer(f"Tax rules {path} {next(_names)}")
    return company.ok(path, {"CustomerRef": {"value": customer["Id"]}, "Line": lines, **fields})


def _rate_amounts(entity):
    return {t["TaxLineDetail"]["TaxRateRef"]["name"]: t["Amount"] for t in entity["TxnTaxDetail"]["TaxLine"]}


def test_31_lines_of_1_59_at_12_percent_round_per_line():
    # The issue's case: each line 1.59 x 12 % = 0.1908 -> 0.19; 31 x 0.19 = 5.89.
    # Rounding the group once would give round(49.29 x 12 %) = round(5.9148) = 5.91.
    rates = {"9": [Rate("9", "HST 12", D("12"))]}
    result = compute([(D("1.59"), "9")] * 31, D(0), TAX_EXCLUDED, rates)
    assert result.total_tax == D("5.89")
    assert result.total_amt == D("49.29") + D("5.89")
    assert result.tax_lines[0]["TaxLineDetail"]["NetAmountTaxable"] == D("49.29")


def test_31_lines_over_http_round_per_line(uk):
    # Same shape through the API on a seeded rate: 1.59 x 5 % = 0.0795 -> 0.08; 31 x 0.08 = 2.48
    # (grouped: round(2.4645) = 2.46).
    invoice = _txn(uk, "invoice", [_line(uk, 1.59, "5.0% R") for _ in range(31)])
    assert invoice["TxnTaxDetail"]["TotalTax"] == 2.48
    assert invoice["TotalAmt"] == 51.77


def test_explicit_total_tax_is_honoured_and_prorated(au):
    lines = [_line(au, 1.59, "GST") for _ in range(31)] + [_line(au, 40, "GST free")]
    calculated = _txn(au, "invoice", lines)
    assert calculated["TxnTaxDetail"]["TotalTax"] == 4.96  # 31 x 0.16
    invoice = _txn(au, "invoice", lines, TxnTaxDetail={"TotalTax": 4.93})
    assert invoice["TxnTaxDetail"]["TotalTax"] == 4.93
    assert invoice["TotalAmt"] == 49.29 + 40 + 4.93
    gst = next(
        t for t in invoice["TxnTaxDetail"]["TaxLine"] if t["TaxLineDetail"]["TaxRateRef"]["name"] == "GST (sales)"
    )
    assert gst["Amount"] == 4.93 and gst["TaxLineDetail"]["OverrideDeltaAmount"] == -0.03


def test_explicit_tax_line_per_rate(uk):
    standard = uk.info["tax_rates"]["20.0% S (sales)"]
    reduced = uk.info["tax_rates"]["5.0% R (sales)"]
    lines = [_line(uk, 10.05, "20.0% S") for _ in range(5)] + [_line(uk, 3.33, "5.0% R") for _ in range(3)]
    invoice = _txn(
        uk,
        "invoice",
        lines,
        GlobalTaxCalculation="TaxExcluded",
        TxnTaxDetail={
            "TaxLine": [
                {"Amount": 10.05, "DetailType": "TaxLineDetail", "TaxLineDetail": {"TaxRateRef": {"value": standard}}},
                {"Amount": 0.50, "DetailType": "TaxLineDetail", "TaxLineDetail": {"TaxRateRef": {"value": reduced}}},
            ]
        },
    )
    # Calculated per line: 5 x 2.01 = 10.05 and 3 x 0.17 = 0.51; the 0.50 sent wins.
    assert _rate_amounts(invoice) == {"20.0% S (sales)": 10.05, "5.0% R (sales)": 0.50}
    assert invoice["TxnTaxDetail"]["TotalTax"] == 10.55
    assert invoice["TotalAmt"] == 50.25 + 9.99 + 10.55


def test_explicit_tax_on_a_rate_no_line_uses_is_6000(uk):
    zero = uk.info["tax_rates"]["0.0% Z (sales)"]
    customer = uk.customer("Tax rules unknown rate")
    error = uk.fault(
        "invoice",
        {
            "CustomerRef": {"value": customer["Id"]},
            "Line": [_line(uk, 10, "20.0% S")],
            "TxnTaxDetail": {
                "TaxLine": [
                    {"Amount": 1, "DetailType": "TaxLineDetail", "TaxLineDetail": {"TaxRateRef": {"value": zero}}}
                ]
            },
        },
    )
    assert error["code"] == "6000" and f"TaxRateRef={zero}" in error["Detail"]


def test_negative_lines_may_carry_a_negative_explicit_tax(au):
    # A credit line's tax is negative when calculated, so an explicit one may be too.
    lines = [_line(au, 25, "GST free"), _line(au, -13.24, "GST")]
    invoice = _txn(au, "invoice", lines, GlobalTaxCalculation="TaxInclusive", TxnTaxDetail={"TotalTax": -1.32})
    assert invoice["TxnTaxDetail"]["TotalTax"] == -1.32 and invoice["TotalAmt"] == 10.44


def test_tax_inclusive_keeps_the_gross_sent(au):
    line = _line(au, 90.91, "GST", TaxInclusiveAmt=100)
    invoice = _txn(au, "invoice", [line], GlobalTaxCalculation="TaxInclusive", TxnTaxDetail={"TotalTax": 9.09})
    sales = invoice["Line"][0]
    assert sales["Amount"] == 90.91 and sales["SalesItemLineDetail"]["TaxInclusiveAmt"] == 100.0
    assert invoice["TotalAmt"] == 100.0 and invoice["TxnTaxDetail"]["TotalTax"] == 9.09


def test_credit_memo_follows_the_same_rules(au):
    lines = [_line(au, 1.59, "GST") for _ in range(31)]
    memo = _txn(au, "creditmemo", lines)
    assert memo["TxnTaxDetail"]["TotalTax"] == 4.96 and memo["TotalAmt"] == 54.25
    explicit = _txn(au, "creditmemo", lines, TxnTaxDetail={"TotalTax": 4.93})
    assert explicit["TotalAmt"] == 54.22 and explicit["RemainingCredit"] == 54.22


def test_sparse_update_recalculates_unless_tax_was_explicit(au):
    invoice = _txn(au, "invoice", [_line(au, 100, "GST")])
    changed = au.ok(
        "invoice",
        {"Id": invoice["Id"], "SyncToken": invoice["SyncToken"], "sparse": True, "Line": [_line(au, 200, "GST")]},
    )
    # The stored (calculated) TxnTaxDetail carried by the sparse merge is no override.
    assert changed["TxnTaxDetail"]["TotalTax"] == 20.0 and changed["TotalAmt"] == 220.0
    pinned = au.ok(
        "invoice",
        {"Id": invoice["Id"], "SyncToken": changed["SyncToken"], "sparse": True, "TxnTaxDetail": {"TotalTax": 19.99}},
    )
    assert pinned["TotalAmt"] == 219.99


def test_apply_tax_after_discount_false_taxes_before_the_discount(make_company):
    discount = {"Amount": 30, "DetailType": "DiscountLineDetail", "DiscountLineDetail": {"PercentBased": False}}
    before = make_company("AU", {"apply_tax_after_discount": False})
    after = make_company("AU", {"apply_tax_after_discount": True})
    for company, tax in ((before, 20.0), (after, 18.0)):
        lines = [_line(company, 200, "GST"), _line(company, 100, "GST free"), dict(discount)]
        invoice = _txn(company, "invoice", lines)
        # false: 10 % of the full 200; true: of 200 less its 20 share of the discount.
        assert invoice["TxnTaxDetail"]["TotalTax"] == tax
        assert invoice["TotalAmt"] == 300 - 30 + tax
        prefs = company.get("preferences").json()["Preferences"]["SalesFormsPrefs"]
        assert prefs["ApplyTaxAfterDiscount"] is (company is after)


def test_ast_assigns_the_code_from_the_ship_to_address(us):
    prefs = us.get("preferences").json()["Preferences"]
    assert prefs["TaxPrefs"]["PartnerTaxEnabled"] is True
    assert us.get(f"companyinfo/{us.realm_id}").json()["CompanyInfo"]["CompanyAddr"]["CountrySubDivisionCode"] == "CA"
    california = us.info["tax_codes"]["California"]
    nyc = us.info["tax_codes"]["New York City"]
    lines = [_line(us, 100, "TAX"), _line(us, 50, "NON")]
    shipped = _txn(
        us,
        "invoice",
        lines,
        ShipAddr={"City": "New York", "CountrySubDivisionCode": "NY"},
        TxnTaxDetail={"TxnTaxCodeRef": {"value": california}},
    )
    assert shipped["TxnTaxDetail"]["TxnTaxCodeRef"]["value"] == nyc  # the code sent is overridden
    assert shipped["TxnTaxDetail"]["TotalTax"] == 8.88 and shipped["TotalAmt"] == 158.88
    home = _txn(us, "invoice", lines, TxnTaxDetail={"TxnTaxCodeRef": {"value": nyc}})
    assert home["TxnTaxDetail"]["TxnTaxCodeRef"]["value"] == california  # company address: CA
    assert home["TxnTaxDetail"]["TotalTax"] == 8.25


def test_ast_honours_an_explicit_total_tax_prorated_over_its_code(us):
    lines = [_line(us, 100, "TAX"), _line(us, 50, "NON")]
    invoice = _txn(
        us,
        "invoice",
        lines,
        ShipAddr={"CountrySubDivisionCode": "NY"},
        TxnTaxDetail={"TxnTaxCodeRef": {"value": us.info["tax_codes"]["California"]}, "TotalTax": 10},
    )
    assert invoice["TxnTaxDetail"]["TotalTax"] == 10.0 and invoice["TotalAmt"] == 160.0
    # 10.00 over NY State (4.00 calculated) and NYC (4.88 calculated), pro rata.
    assert _rate_amounts(invoice) == {"NY State": 4.5, "NYC": 5.5}


def test_prorate_never_loses_a_cent():
    rates = [Rate("1", "A", D("4")), Rate("2", "B", D("4.875"))]
    for total in (D("0.01"), D("7.77"), D("1234.56")):
        result = compute(
            [(D("33.33"), "TAX")], D(0), TAX_EXCLUDED, {}, us=True, us_rates=rates, explicit=ExplicitTax(total=total)
        )
        assert result.total_tax == total == sum(line["Amount"] for line in result.tax_lines)
