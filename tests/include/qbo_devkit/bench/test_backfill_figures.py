"""The backfill sections' arithmetic: the floor QuickBooks' limits set, wall over floor, the
aggregate of several companies, where the time went, and the peers' backoff and streams.
Pure functions on made-up moments: no timing is measured here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from qbo_devkit.bench import backfill_figures as fig
from qbo_devkit.bench import peers

LIMITS = {"minute_seconds": 60.0, "requests_per_minute": 500, "batches_per_minute": 40, "max_concurrent": 10}
T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_the_combined_ceiling_is_40_batches_of_30_and_the_plain_requests_left():
    assert fig.combined_ceiling(LIMITS) == 40 * 30 + 460 == 1660
    assert fig.combined_ceiling({**LIMITS, "requests_per_minute": 40}) == 1200  # nothing left beside the batches


def test_the_floor_is_the_writes_at_the_ceiling_on_the_emulated_minute():
    assert fig.floor_seconds(1660, LIMITS) == pytest.approx(60.0)
    assert fig.floor_seconds(33_200, LIMITS) == pytest.approx(1200.0)
    assert fig.floor_seconds(33_200, {**LIMITS, "minute_seconds": 6.0}) == pytest.approx(120.0)


def test_a_company_s_wall_runs_from_the_run_s_start_to_its_last_write():
    moments = {
        "run_start": at(0),
        "tenants_start": at(2),
        "sync_task_start": at(10),
        "track_start": at(14),
        "validate_start": at(20),
        "load_start": at(30),
        "first_write": at(31),
        "last_write": at(31 + 60),
    }
    got = fig.company_figures(moments, 1660, LIMITS)
    assert got["floor_s"] == 60.0 and got["wall_s"] == 91.0
    assert got["ratio"] == round(91 / 60, 3)
    # writing: 1,659 writes (the last request's lands at the end) over 60 s
    assert got["writes_per_minute_while_writing"] == 1659.0
    assert got["of_combined_ceiling_while_writing"] == round(1659 / 1660, 3)
    rows = {r["segment"]: r for r in got["breakdown"]}
    assert [r["seconds"] for r in got["breakdown"]] == [2.0, 8.0, 4.0, 6.0, 10.0, 1.0, 60.0]
    assert sum(r["seconds"] for r in got["breakdown"]) == got["wall_s"]  # the segments cover the wall
    writing = rows["writing (first to last write)"]
    assert writing["floor_s"] == 60.0 and writing["over_floor_s"] == 0.0


def test_a_moment_not_seen_leaves_its_segments_unknown_not_zero():
    got = fig.company_figures({"run_start": at(0), "last_write": at(120)}, 1660, LIMITS)
    assert got["wall_s"] == 120.0 and got["ratio"] == 2.0
    assert got["writing_s"] is None and got["writes_per_minute_while_writing"] is None
    assert all(r["seconds"] is None for r in got["breakdown"])


def test_companies_at_once_have_the_floor_of_the_largest_and_an_aggregate_against_n_ceilings():
    small = {"writes": 830, "floor_s": 30.0, "wall_s": 50.0, "first_write": at(10), "last_write": at(40)}
    large = {"writes": 1660, "floor_s": 60.0, "wall_s": 75.0, "first_write": at(12), "last_write": at(70)}
    got = fig.run_figures([small, large], LIMITS)
    assert got["companies"] == 2 and got["writes"] == 2490
    assert got["floor_s"] == 60.0 and got["wall_s"] == 75.0 and got["ratio"] == 1.25
    assert got["ceiling_per_minute"] == 3320
    assert got["aggregate_writes_per_minute"] == round((2490 - 2) / 60 * 60, 1)
    assert got["of_ceiling"] == round(2488 / 3320, 3)
    assert fig.run_figures([], LIMITS) == {}


def test_the_60_second_projection_scales_the_floor_and_the_writing_not_what_comes_before():
    # 6-s minute: floor 12 s, 6 s before the first write, 15 s writing (wall 21 s);
    # a real minute: floor 120 s, writing 150 s, still 6 s before it: 156 / 120
    assert fig.projected_ratio(21.0, 15.0, 12.0, 6.0) == 1.3
    assert fig.projected_ratio(21.0, 15.0, 12.0, 60.0) == round(21 / 12, 3)  # already a real minute
    assert fig.projected_ratio(21.0, None, 12.0, 6.0) is None and fig.projected_ratio(21.0, 15.0, 0.0, 6.0) is None


def test_cpu_per_write_in_milliseconds():
    assert fig.cpu_per_write_ms({"airflow": 10.0, "postgresql_server": 2.5}, 5000) == {
        "airflow": 2.0,
        "postgresql_server": 0.5,
    }
    assert fig.cpu_per_write_ms({"airflow": 1.0}, 0) is None


def test_targets_need_the_ratio_no_failure_and_each_record_once():
    run = {
        "companies": 1,
        "invoices_per_company": 20_000,
        "failed_records": 0,
        "exactly_once": True,
        "figures": {"ratio": 1.08, "wall_s": 130.0, "floor_s": 120.0},
    }
    assert fig.targets({"runs": [run]}, None)[0]["met"] is True
    assert fig.targets({"runs": [{**run, "exactly_once": False}]}, None)[0]["met"] is False
    assert fig.targets({"runs": [{**run, "figures": {**run["figures"], "ratio": 1.2}}]}, None)[0]["met"] is False
    many = {"companies": 4, "machine_cpu_busy": 0.5, "figures": {"of_ceiling": 0.91}}
    assert fig.targets(None, {"runs": [many]})[0]["met"] is True


def test_the_singer_peer_backs_off_exponentially_on_the_emulated_minute():
    assert [peers.backoff_seconds(n, 60.0) for n in range(8)] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert peers.backoff_seconds(0, 6.0) == pytest.approx(0.1)


def test_the_singer_peer_sends_parents_then_sub_customers_then_invoices():
    payloads = [
        ("Customer", {"id": "1", "body": {"DisplayName": "A"}}),
        ("Customer", {"id": "2", "body": {"DisplayName": "A:B", "ParentRef": {"value": "1"}}}),
        ("Invoice", {"id": "9", "body": {"CustomerRef": {"value": "2"}}}),
        ("Customer", {"id": "3", "body": {"DisplayName": "C"}}),
    ]
    got = peers.streams(payloads)
    assert [(entity, [r["id"] for r in records]) for entity, records in got] == [
        ("Customer", ["1", "3"]),
        ("Customer", ["2"]),
        ("Invoice", ["9"]),
    ]


def test_our_ratio_to_a_peer_needs_both_rates():
    assert peers.ratio(1600.0, 400.0) == 4.0
    assert peers.ratio(None, 400.0) is None and peers.ratio(1600.0, 0) is None
