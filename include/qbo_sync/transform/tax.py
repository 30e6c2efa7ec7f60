"""The app's tax, stated to QuickBooks explicitly so QuickBooks' own rounding never shows.

QuickBooks rounds tax per line and sums (docs/quickbooks-behaviour.md); the app rounds once
per tax rate. Left to itself QuickBooks would therefore differ from the app by a cent or
more on a long invoice. The sync sends the app's tax in ``TxnTaxDetail.TotalTax``, which
QuickBooks honours (prorated over the rates of the transaction's codes; on a US automated
sales tax company over the code it assigned), and sends every line tax-exclusive: QuickBooks
reads ``Line.Amount`` as tax-exclusive whatever ``GlobalTaxCalculation`` says, the gross
going in ``SalesItemLineDetail.TaxInclusiveAmt``. A tax-inclusive line is split into its net
and its share of its rate's tax, so that the nets add up to the app's subtotal exactly.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from qbo_sync.money import ZERO, cents

TaxedLine = tuple[Decimal, "int | None"]  # (the app's line amount, its tax rate id)


def tax_by_rate(
    lines: Iterable[TaxedLine], tax_mode: str | None, rates: dict[int, Decimal]
) -> dict[int, Decimal] | None:
    """The app's tax per tax rate id: each rate's line sum times the rate, rounded once
    (half-up), backed out of the sum for 'inclusive'. None when a line's rate is unknown."""
    groups: dict[int, Decimal] = {}
    for amount, rate_id in lines:
        if rate_id is not None:
            groups[rate_id] = groups.get(rate_id, ZERO) + amount
    if tax_mode == "none":
        return {}
    tax: dict[int, Decimal] = {}
    for rate_id, amount in groups.items():
        if rate_id not in rates:
            return None
        rate = rates[rate_id]
        tax[rate_id] = cents(amount * rate / (1 + rate)) if tax_mode == "inclusive" else cents(amount * rate)
    return tax


def net_amounts(lines: list[TaxedLine], tax: dict[int, Decimal]) -> list[Decimal]:
    """Tax-inclusive line amounts less their share of their rate's tax (pro rata by amount,
    remainder on the rate's last line): the nets of one rate add up to its sum less its tax."""
    by_rate: dict[int, list[int]] = {}
    for index, (_, rate_id) in enumerate(lines):
        if rate_id is not None and rate_id in tax:
            by_rate.setdefault(rate_id, []).append(index)
    nets = [amount for amount, _ in lines]
    for rate_id, indexes in by_rate.items():
        gross = sum((lines[i][0] for i in indexes), ZERO)
        left = tax[rate_id]
        for position, i in enumerate(indexes):
            share = (
                left if position == len(indexes) - 1 else (cents(tax[rate_id] * lines[i][0] / gross) if gross else ZERO)
            )
            nets[i] = lines[i][0] - share
            left -= share
    return nets


def txn_tax_detail(total_tax: Decimal, us_code: str | None = None) -> dict:
    """``TxnTaxDetail`` stating the app's tax (with the US transaction code, when any)."""
    detail: dict = {"TotalTax": total_tax}
    if us_code:
        detail = {"TxnTaxCodeRef": {"value": us_code}, **detail}
    return detail
