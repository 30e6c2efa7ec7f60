"""The billing app's money arithmetic, exactly as the generator stores it.

The sync, its validator and the QuickBooks emulator must reproduce these rules to the
cent, so they live in one small module with no other dependencies (see the package
docstring of ``qbo_devkit.generator.dataset`` for the rules in words).
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def round_half_up(value: Decimal) -> Decimal:
    """Half-up to cents, as the app and QuickBooks do (not banker's rounding)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def line_amount(
    quantity: Decimal, unit_price: Decimal, discount_kind: str | None, discount_value: Decimal | None
) -> Decimal:
    gross = quantity * unit_price
    if discount_kind == "fixed" and discount_value is not None:
        gross -= discount_value
    elif discount_kind == "percent" and discount_value is not None:
        gross -= quantity * unit_price * discount_value / HUNDRED
    return round_half_up(gross)


def invoice_totals(
    tax_mode: str, lines: Iterable[tuple[Decimal, Decimal | None, object]]
) -> tuple[Decimal, Decimal, Decimal]:
    """(subtotal, tax_total, total) from (amount, rate, tax_rate_id) per line.

    Tax is rounded once per tax rate (grouped by tax rate id), never per line.
    """
    groups: dict[object, tuple[Decimal, Decimal]] = {}
    amounts = ZERO
    for amount, rate, rate_id in lines:
        amounts += amount
        if tax_mode != "none" and rate_id is not None and rate is not None:
            subtotal, _ = groups.get(rate_id, (ZERO, rate))
            groups[rate_id] = (subtotal + amount, rate)
    tax = ZERO
    if tax_mode == "exclusive":
        for group, rate in groups.values():
            tax += round_half_up(group * rate)
        return amounts, tax, amounts + tax
    if tax_mode == "inclusive":
        for group, rate in groups.values():
            tax += round_half_up(group * rate / (1 + rate))
        return amounts - tax, tax, amounts
    return amounts, ZERO, amounts


def tax_inclusive_line(amount: Decimal, rate: Decimal | None, tax_mode: str) -> Decimal:
    """What a line costs the client including its tax (credit-note lines are tax-inclusive)."""
    if tax_mode == "exclusive" and rate is not None:
        return amount + round_half_up(amount * rate)
    return amount
