"""The billing app's money arithmetic, as the generator stores it: a deliberate independent judge.

The generator plays the billing app, so the totals it writes are the ground truth the sync
is checked against. This module computes them on its own, apart from the sync's
``qbo_sync.transform.tax`` and ``qbo_sync.validate.arithmetic``, so that a mistake in the
sync's arithmetic cannot also be in the data it is tested on (the QuickBooks emulator
has a third copy, and the generator's tests a fourth). Do not replace these functions with
the sync's: tests such as ``tests/include/qbo_sync/test_pipeline_tax.py`` compare the two.

Only the cent rounding itself, half-up and nothing else to judge, is the product's
``qbo_sync.money.cents``. The rules in words are in ``qbo_devkit.generator.dataset``'s
docstring.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from qbo_sync.money import ZERO, cents

HUNDRED = Decimal(100)


def line_amount(
    quantity: Decimal, unit_price: Decimal, discount_kind: str | None, discount_value: Decimal | None
) -> Decimal:
    gross = quantity * unit_price
    if discount_kind == "fixed" and discount_value is not None:
        gross -= discount_value
    elif discount_kind == "percent" and discount_value is not None:
        gross -= quantity * unit_price * discount_value / HUNDRED
    return cents(gross)


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
            tax += cents(group * rate)
        return amounts, tax, amounts + tax
    if tax_mode == "inclusive":
        for group, rate in groups.values():
            tax += cents(group * rate / (1 + rate))
        return amounts - tax, tax, amounts
    return amounts, ZERO, amounts


def tax_inclusive_line(amount: Decimal, rate: Decimal | None, tax_mode: str) -> Decimal:
    """What a line costs the client including its tax (credit-note lines are tax-inclusive)."""
    if tax_mode == "exclusive" and rate is not None:
        return amount + cents(amount * rate)
    return amount
