"""The app's invoice arithmetic, recomputed (see the generator's docstring for the rules).

The app rounds tax once per tax rate, half-up (QuickBooks rounds per line and sums, which
can differ by cents: that is why the sync states the app's tax explicitly, see
transform/tax.py). An invoice whose stored totals do not follow from its lines by the app's
own rules is stopped here: its numbers cannot be trusted to be what the client was billed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from qbo_sync.extract.records import Invoice, InvoiceLine
from qbo_sync.money import ZERO, cents
from qbo_sync.transform.tax import tax_by_rate


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
    if any(line.amount is None for line in invoice.lines):
        return None
    line_total = sum((line.amount for line in invoice.lines), ZERO)
    if invoice.tax_mode == "none":
        return Totals(line_total, ZERO, line_total)
    by_rate = tax_by_rate([(line.amount, line.tax_rate_id) for line in invoice.lines], invoice.tax_mode, rates)
    if by_rate is None:
        return None
    tax = sum(by_rate.values(), ZERO)
    if invoice.tax_mode == "inclusive":
        return Totals(line_total - tax, tax, line_total)
    return Totals(line_total, tax, line_total + tax)
