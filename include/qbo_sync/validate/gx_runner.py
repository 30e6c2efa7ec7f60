"""Great Expectations, imported only when a task validates (it costs seconds to import).

One ephemeral context and suite per entity and process (``runner_for``); each chunk of
records is a new batch of the same DataFrame asset. Every expectation carries
``meta.code``, the catalog code that explains the records it rejects.

A validation costs Great Expectations about 0.2 s of CPU whatever the number of rows (it
builds its metric graph per call; 3 rows and 3,000 cost the same), and it runs one at a
time in a process. The tenants of one task validate on threads of their own, so the chunks
that wait while another is validated are validated together, in one call, when their turn
comes (the way a database commits the transactions waiting on its log in one write): each
caller still gets the result of its own rows only, and no caller ever waits longer than it
would have waited for the lock.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from typing import Any

# Tenants of one task validate on threads of their own; Great Expectations' contexts are not
# documented as thread-safe, and validation is CPU work under the GIL anyway: one at a time.
_GX = threading.Lock()


@dataclass(frozen=True)
class Check:
    code: str
    expectation: str  # class name in great_expectations.expectations
    kwargs: dict[str, Any]


@dataclass
class ChunkResult:
    failing: dict[str, list[int]]  # catalog code -> record ids
    summary: dict[str, Any] = field(default_factory=dict)


_RUNNERS: dict[str, SuiteRunner] = {}
_PART = "_qbo_sync_part"  # which caller's chunk a row of a shared validation came from


def runner_for(name: str, checks: list[Check], id_column: str) -> SuiteRunner:
    """The process's runner of one suite, built once (building costs about 0.05 s)."""
    with _GX:
        runner = _RUNNERS.get(name)
        if runner is None or runner.checks != checks or runner.id_column != id_column:
            runner = _RUNNERS[name] = SuiteRunner(name, checks, id_column, _locked=True)
        return runner


class _Waiting:
    """One caller's chunk, waiting for the validation that takes it."""

    def __init__(self, frame) -> None:
        self.frame = frame
        self.result: ChunkResult | None = None
        self.error: BaseException | None = None


class SuiteRunner:
    def __init__(self, name: str, checks: list[Check], id_column: str, *, _locked: bool = False) -> None:
        self.checks = list(checks)
        self.id_column = id_column
        self._queue: list[_Waiting] = []
        self._queue_lock = threading.Lock()
        self.validations = 0  # Great Expectations calls made (tests, benchmarks)
        if _locked:
            self._build(name, checks, id_column)
        else:
            with _GX:
                self._build(name, checks, id_column)

    def _build(self, name: str, checks: list[Check], id_column: str) -> None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
        # GX logs hundreds of INFO lines under Airflow; finance reads these logs.
        logging.getLogger("great_expectations").setLevel(logging.WARNING)
        import great_expectations as gx
        import great_expectations.expectations as gxe

        self._id_column = id_column
        self.context = gx.get_context(mode="ephemeral")
        try:
            from great_expectations.data_context.types.base import ProgressBarsConfig

            self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        except (ImportError, AttributeError):  # older/newer GX: bars are cosmetic
            pass
        asset = self.context.data_sources.add_pandas(f"{name}_source").add_dataframe_asset(name)
        self._batches = asset.add_batch_definition_whole_dataframe(f"{name}_chunk")
        suite = gx.ExpectationSuite(name=f"qbo_sync_{name}")
        for check in checks:
            cls = getattr(gxe, check.expectation)
            suite.add_expectation(cls(**check.kwargs, meta={"code": check.code}))
        self.suite = self.context.suites.add(suite)

    def validate(self, frame) -> ChunkResult:  # frame: pandas.DataFrame
        """This chunk's failing ids per catalog code, and its summary. Validated together with
        the chunks other threads queued meanwhile, when it is not validated already."""
        mine = _Waiting(frame)
        with self._queue_lock:
            self._queue.append(mine)
        with _GX:
            if mine.result is None and mine.error is None:
                with self._queue_lock:
                    taken, self._queue = self._queue, []
                self._validate_together(taken)
        if mine.error is not None:
            raise mine.error
        assert mine.result is not None
        return mine.result

    def _validate_together(self, taken: list[_Waiting]) -> None:
        import pandas as pd

        try:
            frame = pd.concat(
                [w.frame.assign(**{_PART: part}) for part, w in enumerate(taken)], ignore_index=True, copy=False
            )
            batch = self._batches.get_batch(batch_parameters={"dataframe": frame})
            result = batch.validate(
                self.suite,
                result_format={
                    "result_format": "COMPLETE",
                    "unexpected_index_column_names": [self._id_column, _PART],
                },
            )
            self.validations += 1
        except BaseException as exc:
            for w in taken:
                w.error = exc
            raise
        # Per part: code -> failing ids; and every expectation's description once.
        failing: list[dict[str, list[int]]] = [{} for _ in taken]
        described = []
        for res in result.results:
            code = res.expectation_config.meta["code"]
            described.append(
                (
                    code,
                    {
                        "code": code,
                        "expectation": res.expectation_config.type,
                        "kwargs": {k: _plain(v) for k, v in res.expectation_config.kwargs.items() if k != "batch_id"},
                    },
                )
            )
            if res.success:
                continue
            problem = _exception_of(res.exception_info)
            if problem is not None:
                # An expectation that could not be evaluated rejects no row: never let that pass
                # as "valid". Nothing of these chunks is sent; the task fails with the reason.
                error = RuntimeError(
                    f"Great Expectations could not evaluate the check {code!r} "
                    f"({res.expectation_config.type} on {res.expectation_config.kwargs.get('column')!r}): "
                    f"{problem}. This is a fault in the sync's validation, not in the records; nothing "
                    "of this chunk was sent. Report it with this message."
                )
                for w in taken:
                    w.error = error
                raise error
            ids: list[set[int]] = [set() for _ in taken]
            for row in res.result.get("unexpected_index_list") or []:
                ids[int(row[_PART])].add(int(row[self._id_column]))
            for part, found in enumerate(ids):
                if found:
                    failing[part][code] = sorted(found)
        for part, w in enumerate(taken):
            w.result = ChunkResult(failing[part], _summary(described, failing[part], len(w.frame)))


def _exception_of(info: Any) -> str | None:
    """The message of an exception Great Expectations caught while evaluating an expectation
    (``exception_info`` is either one such record or one per metric), else None."""
    if not isinstance(info, dict):
        return None
    if "raised_exception" in info or "exception_message" in info:
        if info.get("raised_exception") or info.get("exception_message"):
            return str(info.get("exception_message") or "an exception")
        return None
    for value in info.values():
        found = _exception_of(value)
        if found is not None:
            return found
    return None


def _summary(described: list[tuple[str, dict[str, Any]]], failing: dict[str, list[int]], rows: int) -> dict[str, Any]:
    """One chunk's part of a validation, as Great Expectations words its own summary."""
    expectations = [
        {**about, "success": code not in failing, "unexpected_count": len(failing.get(code, ()))}
        for code, about in described
    ]
    passed = sum(1 for e in expectations if e["success"])
    evaluated = len(expectations)
    return {
        "success": passed == evaluated,
        "statistics": {
            "evaluated_expectations": evaluated,
            "successful_expectations": passed,
            "unsuccessful_expectations": evaluated - passed,
            "success_percent": round(100.0 * passed / evaluated, 4) if evaluated else None,
            "rows": rows,
        },
        "expectations": expectations,
    }


def _plain(value: Any) -> Any:
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)
