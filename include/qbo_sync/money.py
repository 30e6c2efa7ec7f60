"""Money arithmetic, the one way the app, our checks and QuickBooks agree on."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def cents(value: Decimal) -> Decimal:
    """Round half-up to cents (what QuickBooks does, not banker's rounding)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def as_json_number(value: Decimal) -> float | int:
    """QuickBooks JSON wants numbers; keep Decimal up to the wire and convert there."""
    return int(value) if value == value.to_integral_value() and abs(value) < 2**53 else float(value)
