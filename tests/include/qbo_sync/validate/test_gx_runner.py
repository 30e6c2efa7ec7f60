"""Chunks that wait for Great Expectations are validated together in one call, and each caller
gets exactly the result it would have had alone: the same failing ids per catalog code, the
same per-expectation counts, nothing from another tenant's rows."""

from __future__ import annotations

import threading
import time

import pandas as pd
import pytest

from qbo_sync.validate import gx_runner, invoices
from qbo_sync.validate.gx_runner import SuiteRunner, runner_for


def _passing(check: gx_runner.Check) -> object:
    kw = check.kwargs
    if "value_set" in kw:
        return kw["value_set"][0]
    if check.expectation == "ExpectColumnValueLengthsToBeBetween":
        return "INV-1"
    if "min_value" in kw:
        return kw["min_value"]
    if "max_value" in kw:
        return 0
    return "x"


def _failing(check: gx_runner.Check) -> object:
    kw = check.kwargs
    if "value_set" in kw:
        return "not in the set" if not isinstance(kw["value_set"][0], bool) else (not kw["value_set"][0])
    if check.expectation == "ExpectColumnValueLengthsToBeBetween":
        return "X" * (kw["max_value"] + 1)
    if "min_value" in kw:
        return kw["min_value"] - 1
    if "max_value" in kw:
        return kw["max_value"] + 1
    return None  # ExpectColumnValuesToNotBeNull


def _frame(ids: list[int], bad: dict[int, list[str]]) -> pd.DataFrame:
    """Rows that pass every check but the codes ``bad`` names for their id."""
    by_code = {c.code: c for c in invoices.CHECKS}
    rows = []
    for i in ids:
        row = {"invoice_id": i}
        for check in invoices.CHECKS:
            row[check.kwargs["column"]] = _passing(check)
        for code in bad.get(i, []):
            row[by_code[code].kwargs["column"]] = _failing(by_code[code])
        rows.append(row)
    return pd.DataFrame(rows)


FRAMES = [
    # tenant A: one invoice with two problems, one clean
    _frame([11, 12], {11: ["number_missing", "negative_total"]}),
    # tenant B: clean
    _frame([21, 22, 23], {}),
    # tenant C: a failure with the same code as A's, on its own invoice
    _frame([31], {31: ["negative_total", "number_too_long", "no_line_items"]}),
]


@pytest.fixture(scope="module")
def runner() -> SuiteRunner:
    return SuiteRunner("test_invoices", invoices.CHECKS, "invoice_id")


def test_waiting_chunks_share_one_validation_and_each_gets_its_own_result(runner):
    alone = [runner.validate(f) for f in FRAMES]
    assert alone[0].failing == {"number_missing": [11], "negative_total": [11]}
    assert alone[1].failing == {} and alone[1].summary["success"] is True
    assert alone[2].failing == {"negative_total": [31], "number_too_long": [31], "no_line_items": [31]}

    calls_before = runner.validations
    results: dict[int, gx_runner.ChunkResult] = {}
    # Hold Great Expectations as another tenant's validation would, so that all three wait.
    with gx_runner._GX:
        threads = [
            threading.Thread(target=lambda i=i: results.__setitem__(i, runner.validate(FRAMES[i])))
            for i in range(len(FRAMES))
        ]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 30
        while len(runner._queue) < len(FRAMES) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(runner._queue) == len(FRAMES)
    for t in threads:
        t.join(60)
    assert runner.validations == calls_before + 1, "the three waiting chunks were not validated together"
    for i, result in enumerate(alone):
        assert results[i].failing == result.failing
        assert results[i].summary == result.summary
    counts = {e["code"]: e["unexpected_count"] for e in results[0].summary["expectations"]}
    assert counts["negative_total"] == 1 and counts["number_missing"] == 1 and counts["client_not_set"] == 0
    assert results[0].summary["statistics"]["unsuccessful_expectations"] == 2
    assert results[0].summary["statistics"]["rows"] == 2


def test_a_failed_validation_reaches_every_caller_that_waited_for_it(runner):
    broken = FRAMES[1].drop(columns=["status"])  # a column the suite expects is missing
    errors: list[BaseException] = []

    def call(frame: pd.DataFrame) -> None:
        try:
            runner.validate(frame)
        except BaseException as exc:  # noqa: BLE001 - the test collects what each caller saw
            errors.append(exc)

    with gx_runner._GX:
        threads = [threading.Thread(target=call, args=(f,)) for f in (broken, broken)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 30
        while len(runner._queue) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    for t in threads:
        t.join(60)
    # Great Expectations reports a missing column as a failed expectation that rejects no row:
    # both callers must get an error that names the check, never an "all valid" answer.
    assert len(errors) == 2, errors
    assert all("could not evaluate the check 'invoice_status_unknown'" in str(e) for e in errors)
    assert not runner._queue
    assert runner.validate(FRAMES[1]).failing == {}  # the runner is still usable


def test_the_process_keeps_one_runner_per_suite():
    first = runner_for("invoices", invoices.CHECKS, "invoice_id")
    assert runner_for("invoices", invoices.CHECKS, "invoice_id") is first
