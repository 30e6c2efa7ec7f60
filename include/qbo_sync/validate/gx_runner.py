"""Great Expectations, imported only when a task validates (it costs seconds to import).

One ephemeral context and suite per entity; each chunk of records is a new batch of
the same DataFrame asset. Every expectation carries ``meta.code``, the catalog code
that explains the records it rejects.
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


class SuiteRunner:
    def __init__(self, name: str, checks: list[Check], id_column: str) -> None:
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
        with _GX:
            batch = self._batches.get_batch(batch_parameters={"dataframe": frame})
            result = batch.validate(
                self.suite,
                result_format={
                    "result_format": "COMPLETE",
                    "unexpected_index_column_names": [self._id_column],
                },
            )
        failing: dict[str, list[int]] = {}
        for res in result.results:
            if res.success:
                continue
            code = res.expectation_config.meta["code"]
            rows = res.result.get("unexpected_index_list") or []
            failing[code] = sorted({int(r[self._id_column]) for r in rows})
        summary = {
            "success": bool(result.success),
            "statistics": {k: _plain(v) for k, v in result.statistics.items()},
            "expectations": [
                {
                    "code": res.expectation_config.meta["code"],
                    "expectation": res.expectation_config.type,
                    "kwargs": {k: _plain(v) for k, v in res.expectation_config.kwargs.items() if k != "batch_id"},
                    "success": bool(res.success),
                    "unexpected_count": int(res.result.get("unexpected_count") or 0),
                }
                for res in result.results
            ],
        }
        return ChunkResult(failing, summary)


def _plain(value: Any) -> Any:
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)
