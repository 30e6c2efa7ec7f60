from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from qbo_sync.extract.records import Invoice, InvoiceLine
from qbo_sync.validate.arithmetic import expected_line_amount, recompute

RATES = {1: D("0.1000"), 2: D("0.0000")}


def inv(mode, amounts):
    lines = tuple(
        InvoiceLine(i, i, "service", "x", None, D(1), D(a), None, None, rate, D(a))
        for i, (a, rate) in enumerate(amounts, start=1)
    )
    return Invoice(1, 1, "N", 1, "finalized", date(2026, 1, 1), None, mode, "AUD", None, None, None, None, lines)


def test_exclusive_rounds_tax_once_per_rate():
    totals = recompute(inv("exclusive", [("10.05", 1), ("10.05", 1), ("3.00", 2)]), RATES)
    # 20.10 x 10 % = 2.01 (per-line rounding would give 1.01 + 1.01 = 2.02)
    assert (totals.subtotal, totals.tax_total, totals.total) == (D("23.10"), D("2.01"), D("25.11"))


def test_inclusive_takes_tax_out_of_the_lines():
    totals = recompute(inv("inclusive", [("110.00", 1), ("5.00", 2)]), RATES)
    assert (totals.subtotal, totals.tax_total, totals.total) == (D("105.00"), D("10.00"), D("115.00"))


def test_none_has_no_tax():
    totals = recompute(inv("none", [("9.99", None)]), RATES)
    assert (totals.tax_total, totals.total) == (D("0.00"), D("9.99"))


def test_unknown_rate_cannot_be_recomputed():
    assert recompute(inv("exclusive", [("1.00", 99)]), RATES) is None


def test_line_amount_with_percent_discount_rounds_half_up():
    line = InvoiceLine(1, 1, "service", "x", None, D("3"), D("3.35"), "percent", D("50"), 1, D("5.03"))
    assert expected_line_amount(line) == D("5.03")  # 10.05 / 2 = 5.025 -> 5.03
