"""The load's progress line: records done of the total, the rate, and an ETA at that rate."""

from __future__ import annotations

from qbo_sync.load.progress import progress_line


def test_the_line_says_done_total_share_rate_and_eta():
    # 12,400 in 8 min 16 s: 1,500 a minute; 7,600 left: 5.07 minutes, said as 6 (never too soon).
    assert progress_line(3, "invoice", 12_400, 20_000, 496.0) == (
        "tenant 3: 12,400 of 20,000 invoices (62%), 1,500/min, ETA 6 min"
    )


def test_long_etas_in_hours_and_the_start_and_end_of_a_load():
    assert progress_line(1, "invoice", 100, 100_000, 60.0).endswith("100/min, ETA 16 h 39 min")
    assert progress_line(1, "customer", 0, 50, 3.0) == "tenant 1: 0 of 50 customers (0%), rate not known yet"
    assert progress_line(1, "customer", 50, 50, 3.0) == "tenant 1: 50 of 50 customers (100%), done"
