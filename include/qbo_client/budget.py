"""The rate budget: how fast, and how many at once, one company (realm) may be called.

QuickBooks counts per realm and app over a SLIDING minute: 500 requests, 10 in flight,
40 batch requests (which also count toward the 500). Requests it refuses count too, so
a client that hammers stays throttled. We therefore pace ourselves below the limit
rather than discover it through 429s:

* a token bucket per realm for requests and one for batches. A bucket of capacity C
  refilled at rate R admits at most C + R*W requests in any window of length W, so we
  choose C = 1 and R = (safety * limit - 1) / W (safety 0.99 by default): every sliding
  minute stays under the limit by (1 - safety) of it - 0.4 of a batch, i.e. 0.6 s of a
  60-s minute at 38.6 batches a minute - room for jitter between our grant and QuickBooks'
  count. C = 1 because a burst buys a batch job nothing and every token of burst is one
  less of steady rate: with 40 batches a minute this paces 38.6 (0.965 of the ceiling),
  where C = 2 and safety 0.9 paced 34;
* a caller reserves its token (tokens may go below zero) and sleeps until it exists:
  each waiter owns its own instant, so none race for the next token and none lose refill
  by waking late (a capacity-1 bucket drops whatever refills while nobody asks);
* a third bucket for QuickBooks' "10 requests per second, per realm ID and app" (Intuit's
  limits page), its "second" a sixtieth of ``minute_seconds`` (the emulator's too): C = 1 and
  R = safety * limit - 1 per second, so any second sees at most 0.99 * 10 = 9.9 grants. At the
  default 500 a minute the minute bucket already paces 8.2 a second, so this bucket only bites
  on bursts and on apps allowed more a minute (800);
* ``max_concurrent`` slots, one held for the whole request (slot first, then a token:
  a request holding a token while it waits for a slot would arrive in a burst later);
* after a 429, ``pause`` stops everyone using this budget for the realm for
  ``throttle_wait_seconds`` (QuickBooks says wait 60 s), not just the unlucky caller;
* a caller that wakes more than ``LATE_FRACTION`` of QuickBooks' "second" after its token's
  instant (a starved CPU, a lock held by another thread) while other callers' tokens are due
  right after it reserves a new token instead of sending at once (at most ``MAX_REGRANTS``
  times; alone, it just sends): sent late, its request would land in the same second as the
  requests granted after it, and with the load using the whole 500 a
  minute (8.2 a second) two such stragglers are enough to make 11 in a second: a 429, and a
  minute's pause for the company. The spent token only leaves that instant unused.

:class:`MemoryRateBudget` shares this among the threads of one process; an implementation
over a shared database shares it among every process and worker behind the same interface.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

JITTER = 0.01  # callers coming back from a pause spread over this fraction of it
LATE_FRACTION = 0.1  # of QuickBooks' "second": a caller woken later than this takes a new token
MAX_REGRANTS = 2  # ... at most this many times for one request


def late_after(config: BudgetConfig) -> float:
    """Seconds after its token's instant past which a caller takes a new token."""
    return LATE_FRACTION * config.minute_seconds / 60


@dataclass(frozen=True)
class BudgetConfig:
    requests_per_minute: int = 500
    batches_per_minute: int = 40
    requests_per_second: int = 10  # 0: no per-second bound
    max_concurrent: int = 10
    minute_seconds: float = 60.0  # the emulator's short minute in tests
    throttle_wait_seconds: float = 60.0
    safety: float = 0.99  # fraction of each per-minute limit any sliding minute may use

    def __post_init__(self) -> None:
        if self.requests_per_minute < 1 or self.batches_per_minute < 1 or self.max_concurrent < 1:
            raise ValueError("rate limits must be at least 1")
        if self.requests_per_second < 0:
            raise ValueError("requests_per_second must be 0 (no bound) or more")
        if self.minute_seconds <= 0 or not 0 < self.safety <= 1:
            raise ValueError("minute_seconds must be > 0 and safety in (0, 1]")

    @staticmethod
    def _bucket(limit: int, safety: float, window: float) -> tuple[float, float]:
        allowed = max(1.0, limit * safety)
        capacity = 1.0
        rate = max(allowed - capacity, 1.0) / window
        return capacity, rate

    @property
    def request_bucket(self) -> tuple[float, float]:
        """(capacity, tokens per second) of the requests bucket."""
        return self._bucket(self.requests_per_minute, self.safety, self.minute_seconds)

    @property
    def batch_bucket(self) -> tuple[float, float]:
        return self._bucket(self.batches_per_minute, self.safety, self.minute_seconds)

    @property
    def second_bucket(self) -> tuple[float, float] | None:
        """(capacity, tokens per second) of the per-second bucket; None without that bound."""
        if not self.requests_per_second:
            return None
        return self._bucket(self.requests_per_second, self.safety, self.minute_seconds / 60)

    @classmethod
    def from_mapping(cls, values: dict) -> BudgetConfig:
        """From an Airflow connection's extra or env: unknown keys ignored, strings accepted."""
        kwargs = {}
        for name, kind in (
            ("requests_per_minute", int),
            ("batches_per_minute", int),
            ("requests_per_second", int),
            ("max_concurrent", int),
            ("minute_seconds", float),
            ("throttle_wait_seconds", float),
            ("safety", float),
        ):
            value = values.get(name)
            if value not in (None, ""):
                kwargs[name] = kind(value)
        return cls(**kwargs)


class RateBudget(Protocol):
    config: BudgetConfig

    def acquire(self, realm_id: str, *, batch: bool = False) -> contextlib.AbstractContextManager[None]:
        """Block until this realm may be called (a slot and a token), hold the slot while
        the ``with`` block runs."""

    def pause(self, realm_id: str, seconds: float) -> None:
        """QuickBooks answered 429: nobody calls this realm for ``seconds``."""


class _TokenBucket:
    """Tokens refill continuously up to capacity; ``wait_for`` says how long until one is there."""

    def __init__(self, capacity: float, rate: float, clock: Callable[[], float]) -> None:
        self.capacity = capacity
        self.rate = rate
        self.tokens = capacity
        self.clock = clock
        self.stamp = clock()

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait_for(self) -> float:
        self._refill()
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1

    def reserve(self) -> float:
        """Take the next token even before it exists (tokens may go negative); seconds
        until it does. Each waiter owns its own instant: none lose refill by waking late."""
        self._refill()
        self.tokens -= 1
        return max(0.0, -self.tokens / self.rate)


class _RealmState:
    def __init__(self, config: BudgetConfig, clock: Callable[[], float]) -> None:
        self.requests = _TokenBucket(*config.request_bucket, clock)
        self.batches = _TokenBucket(*config.batch_bucket, clock)
        second = config.second_bucket
        self.seconds = _TokenBucket(*second, clock) if second else None
        self.slots = threading.BoundedSemaphore(config.max_concurrent)
        self.paused_until = 0.0


class MemoryRateBudget:
    """The budget for one process (threads share it). For tests and library users."""

    def __init__(
        self,
        config: BudgetConfig | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config or BudgetConfig()
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._realms: dict[str, _RealmState] = {}
        self.waited_seconds = 0.0  # total time callers spent waiting for tokens (for reports)
        self.late_regrants = 0  # tokens given up because the caller woke too late (for reports)

    def _state(self, realm_id: str) -> _RealmState:
        with self._lock:
            state = self._realms.get(realm_id)
            if state is None:
                state = self._realms[realm_id] = _RealmState(self.config, self._clock)
            return state

    @contextlib.contextmanager
    def acquire(self, realm_id: str, *, batch: bool = False) -> Iterator[None]:
        state = self._state(realm_id)
        state.slots.acquire()
        regrants = 0
        try:
            while True:
                with self._lock:
                    paused = max(0.0, state.paused_until - self._clock())
                    if paused == 0:
                        wait = state.requests.reserve()
                        if state.seconds is not None:
                            wait = max(wait, state.seconds.reserve())
                        if batch:
                            wait = max(wait, state.batches.reserve())
                if paused:
                    self.waited_seconds += paused
                    # Jitter: callers paused together should not all come back at one instant.
                    self._sleep(paused + random.uniform(0, min(0.05, JITTER * paused)))
                    continue
                if wait == 0:
                    break
                self.waited_seconds += wait
                due = self._clock() + wait
                self._sleep(wait)
                with self._lock:
                    paused_now = state.paused_until > self._clock()
                    state.requests._refill()
                    crowded = state.requests.tokens < 0  # others' tokens are due right after ours
                if not paused_now:
                    late = self._clock() - due > late_after(self.config)
                    if not (late and crowded) or regrants >= MAX_REGRANTS:
                        break
                    regrants += 1  # woke too late: sent now it would crowd the next ones' second
                    self.late_regrants += 1
                # A 429 paused the realm while we waited: our token is spent, wait out the pause.
            yield
        finally:
            state.slots.release()

    def pause(self, realm_id: str, seconds: float) -> None:
        state = self._state(realm_id)
        with self._lock:
            state.paused_until = max(state.paused_until, self._clock() + seconds)
