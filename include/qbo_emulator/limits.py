"""QuickBooks' throttling, per realm and app: requests per minute, batches per minute, concurrency.

Sliding window: a request is refused when ``requests_per_minute`` requests of the same
realm+app were already seen during the last ``minute_seconds``. Refused (429) requests are
counted too, as QuickBooks does, so a client that keeps hammering stays throttled until it
backs off for a whole window. Batch requests count toward both limits. The window runs on
real (monotonic) time, not on the movable emulator clock.
"""
from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

from .config import EmulatorConfig


@dataclass
class _Window:
    requests: deque[float] = field(default_factory=deque)
    batches: deque[float] = field(default_factory=deque)
    in_flight: int = 0


class RateLimiter:
    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self._windows: dict[tuple[str, str], _Window] = {}

    def reset(self) -> None:
        self._windows.clear()

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
        now = time.monotonic()
        horizon = now - self.config.minute_seconds
        requests = window.requests
        while requests and requests[0] <= horizon:
            requests.popleft()
        batches = window.batches
        while batches and batches[0] <= horizon:
            batches.popleft()
        over = len(requests) >= self.config.requests_per_minute
        if is_batch and len(batches) >= self.config.batches_per_minute:
            over = True
        if window.in_flight >= self.config.max_concurrent:
            over = True
        requests.append(now)
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
