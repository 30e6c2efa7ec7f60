"""Small shared helpers: JSON with Decimal, money rounding, the movable clock, time formats."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
ZERO = Decimal("0")


def _json_default(obj: Any) -> Any:
    if isinstance(obj, Decimal):
        # QuickBooks sends money as JSON numbers (55.0), never strings.
        return float(obj)
    if isinstance(obj, (datetime, date)):
        return obj.isoformat()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


_encoder = json.JSONEncoder(default=_json_default, separators=(",", ":"), ensure_ascii=False)


def dumps(obj: Any) -> bytes:
    """Serialise to compact UTF-8 JSON bytes (Decimal -> number)."""
    return _encoder.encode(obj).encode("utf-8")


def loads(raw: bytes | str) -> Any:
    """Parse JSON keeping every non-integer number exact."""
    return json.loads(raw, parse_float=Decimal)


def money(value: Decimal) -> Decimal:
    """Round half-up to cents, the way QuickBooks rounds amounts."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def to_decimal(value: Any) -> Decimal | None:
    """A JSON number (or numeric string) as Decimal; None when absent or not a number."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


class Clock:
    """UTC wall clock that tests can move forward (token expiry, MetaData, CDC).

    Only the offset is stored, so the clock keeps ticking in real time after a jump.
    """

    def __init__(self) -> None:
        self.offset = 0.0
        self.frozen_at: float | None = None  # a stopped clock: many writes in "one second"

    def time(self) -> float:
        if self.frozen_at is not None:
            return self.frozen_at + self.offset
        return time.time() + self.offset

    def freeze(self, frozen: bool) -> None:
        if frozen and self.frozen_at is None:
            self.frozen_at = time.time()
        elif not frozen and self.frozen_at is not None:
            self.offset += self.frozen_at - time.time()  # resume from the stopped moment
            self.frozen_at = None

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), tz=UTC)

    def advance(self, seconds: float) -> None:
        self.offset += seconds


def format_time(moment: datetime, offset_hours: int) -> str:
    """ISO 8601 with the company's UTC offset and no fraction, like MetaData times."""
    local = moment.astimezone(timezone(timedelta(hours=offset_hours)))
    return local.replace(microsecond=0).isoformat()


def format_response_time(moment: datetime, offset_hours: int) -> str:
    """The "time" member of every answer: milliseconds and the company's offset."""
    local = moment.astimezone(timezone(timedelta(hours=offset_hours)))
    return local.isoformat(timespec="milliseconds")


def parse_datetime(text: str) -> datetime | None:
    """Parse an ISO 8601 date or date-time; naive values are taken as UTC."""
    if not isinstance(text, str) or not text:
        return None
    candidate = text.strip()
    if candidate.endswith("Z"):
        candidate = candidate[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(candidate)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def parse_date(text: Any) -> date | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None
