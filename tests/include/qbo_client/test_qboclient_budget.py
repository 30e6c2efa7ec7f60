"""The in-memory rate budget keeps every sliding minute under the limit and the slots."""

from __future__ import annotations

import threading
import time

import pytest

from qbo_client import BudgetConfig, MemoryRateBudget


def test_sliding_window_and_concurrency_stay_inside_the_limits():
    config = BudgetConfig(requests_per_minute=20, batches_per_minute=6, max_concurrent=3, minute_seconds=1.0)
    budget = MemoryRateBudget(config)
    stamps, batch_stamps, in_flight, peak = [], [], [0], [0]
    lock = threading.Lock()

    def worker(n):
        for i in range(8):
            batch = (n + i) % 4 == 0
            with budget.acquire("realm-1", batch=batch):
                with lock:
                    stamps.append(time.monotonic())
                    if batch:
                        batch_stamps.append(time.monotonic())
                    in_flight[0] += 1
                    peak[0] = max(peak[0], in_flight[0])
                time.sleep(0.01)
                with lock:
                    in_flight[0] -= 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(stamps) == 40 and peak[0] <= 3

    def most_in_any_window(times):
        times = sorted(times)
        return max(sum(1 for t in times if s <= t < s + config.minute_seconds) for s in times)

    assert most_in_any_window(stamps) <= 20
    assert most_in_any_window(batch_stamps) <= 6


def test_pause_holds_everyone_off():
    # The budget's own clock and sleep, so the pause is measured in its time, not the machine's.
    now, slept = [1000.0], []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    budget = MemoryRateBudget(BudgetConfig(minute_seconds=1.0), clock=lambda: now[0], sleep=sleep)
    budget.pause("realm-2", 0.3)
    with budget.acquire("realm-2"):
        assert now[0] >= 1000.3  # let in only once the pause is over
    assert slept and sum(slept) >= 0.3
    slept.clear()
    with budget.acquire("other-realm"):  # other companies are not held up
        pass
    assert slept == []


def test_bucket_arithmetic():
    """Any sliding minute stays within safety x limit, and the steady rate is at least 0.95
    of the batch ceiling (issue 9: a burst capacity above 1 would cost steady rate)."""
    config = BudgetConfig()
    capacity, rate = config.request_bucket
    assert capacity + rate * 60 <= 500 * config.safety + 1e-9 < 500
    capacity, rate = config.batch_bucket
    assert capacity + rate * 60 <= 40 * config.safety + 1e-9 < 40
    assert rate * 60 >= 0.95 * 40
    short = BudgetConfig(minute_seconds=6.0).batch_bucket  # the benchmark's minute scales R
    assert short[1] == pytest.approx(rate * 10)
    assert BudgetConfig.from_mapping({"requests_per_minute": "20", "minute_seconds": "2", "other": 1}) == BudgetConfig(
        requests_per_minute=20, minute_seconds=2.0
    )


class _FakeTime:
    """A clock that only sleeping moves; every sleep overshoots by 30% (a busy machine)."""

    def __init__(self, oversleep: float = 1.3) -> None:
        self.now = 0.0
        self.oversleep = oversleep
        self.on_sleep = None

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        if self.on_sleep is not None:
            self.on_sleep()
        self.now += seconds * self.oversleep


def test_waking_late_loses_no_rate():
    """Each caller reserves its own instant: 20 paced requests span 20 intervals even when
    every sleep overshoots by 30% (a plain capacity-1 bucket would span 26)."""
    fake = _FakeTime()
    config = BudgetConfig(requests_per_minute=61, batches_per_minute=40, minute_seconds=60.0)
    budget = MemoryRateBudget(config, clock=fake.clock, sleep=fake.sleep)
    _, rate = config.request_bucket
    grants = []
    for _ in range(21):
        with budget.acquire("realm-3"):
            grants.append(fake.now)
    assert grants[0] == 0.0
    assert grants[-1] < 20.5 / rate


def test_a_caller_woken_late_with_others_due_after_it_takes_a_new_token():
    """Sent late, a request would land in the second of the tokens granted after it (with the
    load using the whole 500 a minute, that is how a 429 happens): it takes a new token."""
    fake = _FakeTime(oversleep=1.0)
    config = BudgetConfig(requests_per_minute=61, batches_per_minute=40, requests_per_second=0, minute_seconds=60.0)
    budget = MemoryRateBudget(config, clock=fake.clock, sleep=fake.sleep)
    with budget.acquire("realm-4"):
        pass  # the bucket's one token, at once

    def another_caller_then_a_stall() -> None:
        budget._state("realm-4").requests.reserve()  # someone else's token, due after ours
        fake.now += 0.5  # ... and this caller wakes half a "second" late
        fake.on_sleep = None

    fake.on_sleep = another_caller_then_a_stall
    with budget.acquire("realm-4"):
        granted = fake.now
    _, rate = config.request_bucket
    assert budget.late_regrants == 1
    assert granted >= 3 / rate - 1e-9  # after the other caller's token, not at once


def test_a_pause_during_a_wait_is_waited_out():
    fake = _FakeTime(oversleep=1.0)
    budget = MemoryRateBudget(BudgetConfig(minute_seconds=60.0), clock=fake.clock, sleep=fake.sleep)
    with budget.acquire("realm-4", batch=True):
        pass
    fake.on_sleep = lambda: (budget.pause("realm-4", 30.0), setattr(fake, "on_sleep", None))
    with budget.acquire("realm-4", batch=True):  # must wait for a batch token; a 429 comes meanwhile
        granted = fake.now
    assert granted >= 30.0
