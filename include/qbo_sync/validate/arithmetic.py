"""The app's invoice arithmetic, recomputed (see the generator's docstring for the rules).

QuickBooks rounds tax once per tax group, half-up; an invoice whose stored totals do
not follow from its lines would land in QuickBooks with different amounts, so it is
stopped here instead.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from qbo_sync.money import ZERO, cents
from qbo_sync.transform.invoice import Invoice, InvoiceLine


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal


def expected_line_amount(line: InvoiceLine) -> Decimal | None:
    if line.quantity is None or line.unit_price is None:
        return None
    gross = line.quantity * line.unit_price
    if line.discount_kind == "fixed" and line.discount_value is not None:
        gross -= line.discount_value
    elif line.discount_kind == "percent" and line.discount_value is not None:
        gross -= gross * line.discount_value / Decimal(100)
    return cents(gross)


def recompute(invoice: Invoice, rates: dict[int, Decimal]) -> Totals | None:
    """Totals from the lines; None when a line lacks an amount or a known rate."""
    groups: dict[int | None, Decimal] = defaultdict(lambda: ZERO)
    for line in invoice.lines:
        if line.amount is None:
            return None
        groups[line.tax_rate_id] += line.amount
    line_total = sum(groups.values(), ZERO)
    if invoice.tax_mode == "none":
        return Totals(line_total, ZERO, line_total)
    tax = ZERO
    for rate_id, amount in groups.items():
        if rate_id is None:
            continue
        if rate_id not in rates:
            return None
        rate = rates[rate_id]
        if invoice.tax_mode == "inclusive":
            tax += cents(amount * rate / (1 + rate))
        else:
            tax += cents(amount * rate)
    if invoice.tax_mode == "inclusive":
        return Totals(line_total - tax, tax, line_total)
    return Totals(line_total, tax, line_total + tax)
