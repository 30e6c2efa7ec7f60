"""A quick smoke run of the benchmark script (the real measurement is run by hand, see README)."""

from __future__ import annotations

import pytest

from qbo_emulator.bench import format_table, run_benchmark


def test_bench_smoke(qbo):
    rows = run_benchmark(qbo.base_url, ["read", "batch30"], duration=0.3, processes=1, threads=2)
    by_scenario = {row["scenario"]: row for row in rows}
    assert by_scenario["read"]["requests"] > 0 and by_scenario["read"]["errors"] == 0
    batch = by_scenario["batch30"]
    # rates are floats: every batch of the run carried 30 entities, to within float rounding
    assert batch["errors"] == 0 and batch["entities_per_s"] == pytest.approx(batch["requests_per_s"] * 30)
    table = format_table(rows)
    assert table.splitlines()[0].split()[:3] == ["scenario", "requests", "errors"]
