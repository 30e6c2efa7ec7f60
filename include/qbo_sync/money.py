"""Money arithmetic, the one way the app, our checks and QuickBooks agree on."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def cents(value: Decimal) -> Decimal:
    """Round half-up to cents (what QuickBooks does, not banker's rounding)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
