"""The client within QuickBooks' per-second limit, and when QuickBooks blocks metered reads.

Pacing is asserted on the emulator's request log (the times it saw each request), not on
wall-clock time."""

from __future__ import annotations

from datetime import datetime

import pytest

from qbo_client import BudgetConfig, MemoryRateBudget, ReadsBlocked


def _max_in_one_second(log: list[dict]) -> int:
    times = sorted(datetime.fromisoformat(r["time"]).timestamp() for r in log)
    return max(sum(1 for t in times if s <= t < s + 1.0) for s in times)


def test_client_paces_30_requests_within_10_a_second(make_client):
    from qbo_emulator.testing import EmulatorProcess

    # 800 a minute (Intuit's figure for apps that also call other endpoints) would allow 13 a
    # second by the minute alone: only the per-second bound keeps the client under 10.
    with EmulatorProcess("--requests-per-minute", "800", "--requests-per-second", "10") as limited:
        budget = MemoryRateBudget(BudgetConfig(requests_per_minute=800))
        qbo, company, _ = make_client(company=limited.create_company(region="AU"), emu=limited, budget=budget)
        for _ in range(30):
            qbo.read("Item", company["service_item_id"])
        log = [r for r in limited.requests_log(company["realm_id"]) if r["path"].startswith("/v3/")]
    assert [r["status"] for r in log] == [200] * 30
    assert qbo.stats["throttled"] == 0
    assert _max_in_one_second(log) <= 10
    first, last = (datetime.fromisoformat(log[i]["time"]) for i in (0, -1))
    assert (last - first).total_seconds() >= 2.0  # 30 requests at <= 10 a second span >= 2 s (about 3)


def test_budget_config_second_bucket():
    assert BudgetConfig().second_bucket == (1.0, pytest.approx(8.9))  # 1 + 8.9 = 9.9 in any second
    assert BudgetConfig(minute_seconds=6.0).second_bucket == (1.0, pytest.approx(89.0))  # the benchmark's
    assert BudgetConfig(requests_per_second=0).second_bucket is None
    assert BudgetConfig.from_mapping({"requests_per_second": "0"}).requests_per_second == 0
    with pytest.raises(ValueError):
        BudgetConfig(requests_per_second=-1)


def test_blocked_reads_raise_once_and_are_not_asked_again(make_client, emulator):
    qbo, company, _ = make_client()
    emulator.set_read_budget(company["client_id"], 3)
    for _ in range(3):
        assert qbo.query("select * from TaxCode")
    with pytest.raises(ReadsBlocked) as caught:
        qbo.read("Item", company["service_item_id"])
    fault = caught.value.fault
    assert fault.http_status == 429 and caught.value.category == "configuration"
    assert fault.key == "reads_blocked" and not fault.retryable and "CorePlus" in fault.detail
    assert qbo.stats["throttled"] == 0  # not mistaken for the per-minute throttle (no 60 s wait)
    before = len(emulator.requests_log(company["realm_id"]))
    with pytest.raises(ReadsBlocked):
        qbo.query("select * from Customer")  # refused by the client itself
    with pytest.raises(ReadsBlocked):
        qbo.cdc(["Payment"], datetime.now().astimezone())
    assert len(emulator.requests_log(company["realm_id"])) == before
    # Writes are not metered: they still go.
    assert qbo.create("Customer", {"DisplayName": "Written while reads are blocked"}).entity["Id"]
    emulator.set_read_budget(company["client_id"], None)


def _grants(config: BudgetConfig, count: int, batch_every: int = 0) -> list[float]:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    budget = MemoryRateBudget(config, clock=lambda: now[0], sleep=sleep)
    grants = []
    for n in range(count):
        with budget.acquire("realm-bench", batch=bool(batch_every) and n % batch_every == 0):
            grants.append(now[0])
    return grants


@pytest.mark.parametrize("minute", [60.0, 6.0])  # QuickBooks', and the benchmark's short minute
def test_per_second_bound_does_not_slow_paced_traffic_at_500_a_minute(minute):
    """At 500 a minute the minute bucket (8.2 a second) is already slower than the per-second
    one (8.9): the grants are exactly those without the per-second bound, so the benchmark
    (its minute 6 s) is not slowed. At 800 a minute the per-second bound is what paces."""
    for batch_every in (0, 3):
        with_bound = _grants(BudgetConfig(minute_seconds=minute), 200, batch_every)
        without = _grants(BudgetConfig(minute_seconds=minute, requests_per_second=0), 200, batch_every)
        assert with_bound == pytest.approx(without)
    fast = _grants(BudgetConfig(requests_per_minute=800, requests_per_second=0), 101)
    bounded = _grants(BudgetConfig(requests_per_minute=800), 101)
    assert max(sum(1 for t in fast if s <= t < s + 1) for s in fast) > 10  # 13 a second: QuickBooks says 429
    assert max(sum(1 for t in bounded if s <= t < s + 1) for s in bounded) <= 10
