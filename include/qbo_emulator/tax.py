"""Sales tax the way QuickBooks computes it for an invoice or credit memo.

Line amounts are grouped per tax rate after a transaction-level discount has been spread
over the sales lines (pro rata by amount, remainder on the last line). Each rate group is
rounded half-up to cents once, which is why per-line rounding in a client can differ from
QuickBooks by a cent.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .util import ZERO, money

TAX_EXCLUDED = "TaxExcluded"
TAX_INCLUSIVE = "TaxInclusive"
NOT_APPLICABLE = "NotApplicable"
CALCULATION_MODES = (TAX_EXCLUDED, TAX_INCLUSIVE, NOT_APPLICABLE)

# US line-level pseudo codes: a line is taxable or not; the rate comes from the transaction.
US_TAXABLE = "TAX"
US_NON_TAXABLE = "NON"


@dataclass(frozen=True)
class Rate:
    rate_id: str
    name: str
    percent: Decimal


@dataclass
class TaxResult:
    subtotal: Decimal
    discount: Decimal
    total_tax: Decimal
    total_amt: Decimal
    tax_lines: list[dict] = field(default_factory=list)


def allocate_discount(amounts: list[Decimal], discount: Decimal) -> list[Decimal]:
    """Spread ``discount`` over ``amounts`` pro rata, in cents, remainder on the last line."""
    total = sum(amounts, ZERO)
    if not amounts or discount == ZERO or total == ZERO:
        return [ZERO] * len(amounts)
    shares = [money(discount * amount / total) for amount in amounts[:-1]]
    shares.append(discount - sum(shares, ZERO))
    return shares


def compute(
    lines: list[tuple[Decimal, str | None]],
    discount: Decimal,
    mode: str,
    rates_of_code: dict[str, list[Rate]],
    *,
    us: bool = False,
    us_rates: list[Rate] | None = None,
) -> TaxResult:
    """Tax for sales ``lines`` given as (amount, tax code id).

    ``rates_of_code`` maps a tax code id to its sales rates. For US companies the line
    codes are TAX/NON and ``us_rates`` (from TxnTaxDetail.TxnTaxCodeRef) apply to the
    taxable lines; US ignores GlobalTaxCalculation (always tax-exclusive).
    """
    amounts = [amount for amount, _ in lines]
    subtotal = sum(amounts, ZERO)
    shares = allocate_discount(amounts, discount)
    nets = [amount - share for amount, share in zip(amounts, shares)]

    if us:
        mode = TAX_EXCLUDED
    if mode == NOT_APPLICABLE:
        return TaxResult(subtotal, discount, ZERO, subtotal - discount, [])

    # (rate, combined percent of its code) -> net amount of the lines it applies to
    groups: dict[tuple[Rate, Decimal], Decimal] = {}
    for (amount, code), net in zip(lines, nets):
        if us:
            rates = (us_rates or []) if code == US_TAXABLE else []
        else:
            rates = rates_of_code.get(code or "", [])
        combined = sum((rate.percent for rate in rates), ZERO)
        for rate in rates:
            key = (rate, combined)
            groups[key] = groups.get(key, ZERO) + net

    tax_lines: list[dict] = []
    total_tax = ZERO
    for (rate, combined), net in sorted(groups.items(), key=lambda item: int(item[0][0].rate_id)):
        if mode == TAX_INCLUSIVE:
            tax = money(net * rate.percent / (Decimal(100) + combined))
            taxable = net - money(net * combined / (Decimal(100) + combined))
        else:
            tax = money(net * rate.percent / Decimal(100))
            taxable = net
        total_tax += tax
        tax_lines.append(
            {
                "Amount": tax,
                "DetailType": "TaxLineDetail",
                "TaxLineDetail": {
                    "TaxRateRef": {"value": rate.rate_id, "name": rate.name},
                    "PercentBased": True,
                    "TaxPercent": rate.percent,
                    "NetAmountTaxable": money(taxable),
                },
            }
        )

    if mode == TAX_INCLUSIVE:
        total_amt = subtotal - discount
    else:
        total_amt = subtotal - discount + total_tax
    return TaxResult(subtotal, discount, total_tax, total_amt, tax_lines)
