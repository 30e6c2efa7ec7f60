"""The app's tax stated to QuickBooks: per-rate tax by the app's rule, tax-inclusive lines
split into nets that add up exactly, and the payloads that carry them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from qbo_sync.extract.records import Invoice, InvoiceLine
from qbo_sync.transform.invoice import CompanyMapping, invoice_payload
from qbo_sync.transform.tax import net_amounts, tax_by_rate, txn_tax_detail

RATES = {1: D("0.2000"), 2: D("0.0500"), 3: D("0")}
UK = CompanyMapping(
    "UK", service_item_id="1", product_item_id="2", tax_codes={1: "10", 2: "11", 3: "12"}, no_tax_code="13", rates=RATES
)


def test_tax_is_rounded_once_per_rate_the_app_way():
    lines = [(D("1.59"), 1)] * 31 + [(D("3.33"), 2)] * 3 + [(D("5.00"), None)]
    assert tax_by_rate(lines, "exclusive", RATES) == {1: D("9.86"), 2: D("0.50")}  # 49.29 x 20 %, 9.99 x 5 %
    assert tax_by_rate(lines, "inclusive", RATES) == {1: D("8.22"), 2: D("0.48")}
    assert tax_by_rate(lines, "none", RATES) == {}
    assert tax_by_rate([(D("1"), 9)], "exclusive", RATES) is None


amounts = st.decimals(min_value=D("0.01"), max_value=D("5000"), places=2)


@given(st.lists(st.tuples(amounts, st.sampled_from([1, 2, 3, None])), min_size=1, max_size=40))
def test_nets_add_up_to_the_gross_less_the_tax_of_each_rate(lines):
    tax = tax_by_rate(lines, "inclusive", RATES)
    nets = net_amounts(lines, tax)
    assert sum(nets) == sum(a for a, _ in lines) - sum(tax.values())
    for rate_id, rate_tax in tax.items():
        assert (
            sum(n for n, (_, r) in zip(nets, lines, strict=False) if r == rate_id)
            == sum(a for a, r in lines if r == rate_id) - rate_tax
        )
    assert all(n.as_tuple().exponent >= -2 and 0 <= n <= a for n, (a, _) in zip(nets, lines, strict=False))
    assert all(n == a for n, (a, r) in zip(nets, lines, strict=False) if r is None)


def _invoice(mode, lines, tax, total):
    subtotal = total - tax
    return Invoice(
        9,
        1,
        "INV-9",
        3,
        "finalized",
        date(2026, 11, 1),
        None,
        mode,
        "GBP",
        subtotal,
        tax,
        total,
        None,
        tuple(
            InvoiceLine(i, i, "service", "Consult", None, D(1), a, None, None, r, a)
            for i, (a, r) in enumerate(lines, start=1)
        ),
    )


def test_inclusive_invoice_goes_out_net_with_the_gross_and_the_app_tax():
    lines = [(D("1.59"), 1)] * 31 + [(D("3.33"), 2)] * 3
    payload = invoice_payload(_invoice("inclusive", lines, D("8.70"), D("59.28")), customer_qbo_id="5", mapping=UK)
    sales = payload["Line"]
    assert payload["GlobalTaxCalculation"] == "TaxInclusive"
    assert payload["TxnTaxDetail"] == {"TotalTax": D("8.70")}
    assert [ln["SalesItemLineDetail"]["TaxInclusiveAmt"] for ln in sales] == [a for a, _ in lines]
    assert sum(ln["Amount"] for ln in sales) == D("59.28") - D("8.70")
    for line in sales:  # QuickBooks checks Amount = Qty x UnitPrice
        detail = line["SalesItemLineDetail"]
        assert (detail["Qty"] * detail["UnitPrice"]).quantize(D("0.01")) == line["Amount"]


def test_stored_tax_that_is_not_the_app_rule_is_still_what_goes_out():
    # Validation stops such invoices; the payload still never invents a tax of its own.
    lines = [(D("10.00"), 1), (D("10.00"), 2)]
    payload = invoice_payload(_invoice("inclusive", lines, D("2.00"), D("20.00")), customer_qbo_id="5", mapping=UK)
    assert payload["TxnTaxDetail"]["TotalTax"] == D("2.00")
    assert sum(ln["Amount"] for ln in payload["Line"]) == D("18.00")


def test_exclusive_and_untaxed_invoices():
    lines = [(D("1.59"), 1)] * 3
    exclusive = invoice_payload(_invoice("exclusive", lines, D("0.95"), D("5.72")), customer_qbo_id="5", mapping=UK)
    assert exclusive["TxnTaxDetail"] == {"TotalTax": D("0.95")}
    assert [ln["Amount"] for ln in exclusive["Line"]] == [D("1.59")] * 3
    assert "TaxInclusiveAmt" not in exclusive["Line"][0]["SalesItemLineDetail"]
    untaxed = invoice_payload(_invoice("none", [(D("4"), None)], D("0"), D("4")), customer_qbo_id="5", mapping=UK)
    assert "TxnTaxDetail" not in untaxed and untaxed["GlobalTaxCalculation"] == "NotApplicable"


def test_us_detail_names_the_transaction_code_first():
    assert list(txn_tax_detail(D("1.00"), "7")) == ["TxnTaxCodeRef", "TotalTax"]
    assert txn_tax_detail(D("0")) == {"TotalTax": D("0")}
