"""QuickBooks' throttling, per realm and app: requests per minute and per second, batches per
minute, concurrency; and the App Partner Program's monthly budget of metered (CorePlus) reads.

Sliding window: a request is refused when ``requests_per_minute`` requests of the same
realm+app were already seen during the last ``minute_seconds``, or ``requests_per_second``
during the last sixtieth of it (Intuit's limits page: "10 requests per second, per realm ID
and app"; answered with the same 429/3001 as the minute limit, which the page does not
distinguish). Both can be changed per company through the control API. Refused (429) requests are
counted too, as QuickBooks does, so a client that keeps hammering stays throttled until it
backs off for a whole window. Batch requests count toward both limits. The window runs on
real (monotonic) time, not on the movable emulator clock.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

from .config import EmulatorConfig

RATE_SETTINGS = ("requests_per_minute", "requests_per_second", "batches_per_minute", "max_concurrent")


@dataclass
class _Window:
    requests: deque[float] = field(default_factory=deque)
    seconds: deque[float] = field(default_factory=deque)
    batches: deque[float] = field(default_factory=deque)
    in_flight: int = 0


def _trim(times: deque[float], horizon: float) -> None:
    while times and times[0] <= horizon:
        times.popleft()


class RateLimiter:
    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self._windows: dict[tuple[str, str], _Window] = {}
        self._overrides: dict[str, dict[str, int]] = {}  # realm id -> RATE_SETTINGS changed

    def reset(self) -> None:
        self._windows.clear()
        self._overrides.clear()

    def limits(self, realm_id: str) -> dict[str, int]:
        """The rate limits in force for one company (the defaults, or what was set for it)."""
        values = {name: getattr(self.config, name) for name in RATE_SETTINGS}
        values.update(self._overrides.get(realm_id, {}))
        return values

    def set_limits(self, realm_id: str, **values: int) -> dict[str, int]:
        self._overrides.setdefault(realm_id, {}).update(values)
        return self.limits(realm_id)

    def _window(self, key: tuple[str, str]) -> _Window:
        window = self._windows.get(key)
        if window is None:
            window = self._windows[key] = _Window()
        return window

    def admit(self, key: tuple[str, str], is_batch: bool) -> bool:
        """Record one request; False when it must be answered 429. Call ``release`` after
        an admitted request finishes."""
        window = self._window(key)
        if not self.config.limits_enabled:
            window.in_flight += 1
            return True
        limits = self.limits(key[0]) if self._overrides else None
        per_minute, per_second, batches_per_minute, max_concurrent = (
            (limits[name] for name in RATE_SETTINGS)
            if limits is not None
            else (
                self.config.requests_per_minute,
                self.config.requests_per_second,
                self.config.batches_per_minute,
                self.config.max_concurrent,
            )
        )
        now = time.monotonic()
        minute = self.config.minute_seconds
        requests, seconds, batches = window.requests, window.seconds, window.batches
        _trim(requests, now - minute)
        _trim(batches, now - minute)
        _trim(seconds, now - minute / 60)
        over = len(requests) >= per_minute
        if per_second and len(seconds) >= per_second:
            over = True
        if is_batch and len(batches) >= batches_per_minute:
            over = True
        if window.in_flight >= max_concurrent:
            over = True
        requests.append(now)
        seconds.append(now)
        if is_batch:
            batches.append(now)
        if over:
            return False
        window.in_flight += 1
        return True

    def release(self, key: tuple[str, str]) -> None:
        window = self._windows.get(key)
        if window is not None and window.in_flight > 0:
            window.in_flight -= 1

    def in_flight(self, key: tuple[str, str]) -> int:
        window = self._windows.get(key)
        return window.in_flight if window else 0


class ReadMeter:
    """CorePlus calls per app and calendar month (UTC, on the emulator clock).

    Intuit's App Partner Program meters "data out" calls - reads, queries, reports and (we
    assume) CDC - and not creates, updates, deletes, voids or OAuth. Past the app's monthly
    budget "all further CorePlus API calls will be blocked until the following month" (Intuit
    developer blog, 2026-01-08) with HTTP 429 (Intuit's limits page); the body is not
    documented (see README: unconfirmed). A budget of None is unlimited (the default).
    """

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self._budgets: dict[str, int | None] = {}  # client id -> budget set for it
        self._used: dict[tuple[str, str], int] = {}  # (client id, "YYYY-MM") -> calls admitted
        self._refused: dict[tuple[str, str], int] = {}

    def reset(self) -> None:
        self._budgets.clear()
        self._used.clear()
        self._refused.clear()

    def budget(self, client_id: str) -> int | None:
        return self._budgets.get(client_id, self.config.monthly_read_budget)

    def set_budget(self, client_id: str, budget: int | None) -> None:
        self._budgets[client_id] = budget

    def admit(self, client_id: str, month: str, calls: int = 1) -> bool:
        """Count ``calls`` metered calls; False (nothing counted) when the month's budget is spent."""
        key = (client_id, month)
        budget = self.budget(client_id)
        used = self._used.get(key, 0)
        if budget is not None and used + calls > budget:
            self._refused[key] = self._refused.get(key, 0) + 1
            return False
        self._used[key] = used + calls
        return True

    def usage(self, client_id: str, month: str) -> dict[str, object]:
        key = (client_id, month)
        return {
            "client_id": client_id,
            "month": month,
            "monthly_budget": self.budget(client_id),
            "used": self._used.get(key, 0),
            "refused": self._refused.get(key, 0),
        }
