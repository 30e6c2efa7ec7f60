"""The arithmetic and the Markdown of the backfill and companies sections (bench/backfill.py):
no I/O, so that it can be tested on its own.

The floor of a backfill is the least time QuickBooks permits for its writes: every write at
the company's combined ceiling, 30 per batch request for 40 batches a minute plus one per
plain request for the rest of the 500 requests a minute (1,660 a minute). Companies have a
ceiling each, so N companies at once have the floor of their largest one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

BATCH_ITEMS = 30
RATIO_TARGET = 1.10
AGGREGATE_TARGET = 0.90

# The moments of a company's backfill in the order they happen, and what the time from
# one to the next is called in the report.
SEGMENTS = (
    ("run_start", "tenants_start", "scheduler: run start to first task"),
    ("tenants_start", "sync_task_start", "tenants + tenant_groups tasks and the gaps around them"),
    ("sync_task_start", "track_start", "sync task start (process, imports) to the track's start"),
    ("track_start", "validate_start", "extract"),
    ("validate_start", "load_start", "validate"),
    ("load_start", "first_write", "load: plan and look-ups before the first write"),
    ("first_write", "last_write", "writing (first to last write)"),
)


def combined_ceiling(limits: dict[str, Any]) -> int:
    """Writes a minute one company allows: 40 batches of 30 and the plain requests left of 500."""
    batches = int(limits["batches_per_minute"])
    return batches * BATCH_ITEMS + (int(limits["requests_per_minute"]) - batches)


def floor_seconds(writes: int, limits: dict[str, Any]) -> float:
    """The least time ``writes`` take at one company's combined ceiling, in seconds of the
    emulator's (possibly shortened) minute."""
    return writes / combined_ceiling(limits) * float(limits["minute_seconds"])


def seconds(a: datetime | None, b: datetime | None) -> float | None:
    return None if a is None or b is None else round((b - a).total_seconds(), 2)


def breakdown(moments: dict[str, datetime | None], writes_floor_s: float) -> list[dict[str, Any]]:
    """Where a company's wall time went, one row per segment of ``SEGMENTS``; the writing
    segment also says how much of it the floor explains."""
    rows = []
    for start, end, label in SEGMENTS:
        row: dict[str, Any] = {"segment": label, "seconds": seconds(moments.get(start), moments.get(end))}
        if start == "first_write" and row["seconds"] is not None:
            row["floor_s"] = round(writes_floor_s, 2)
            row["over_floor_s"] = round(row["seconds"] - writes_floor_s, 2)
        rows.append(row)
    return rows


def company_figures(
    moments: dict[str, datetime | None], writes: int, limits: dict[str, Any], last_request_writes: int = 1
) -> dict[str, Any]:
    """Floor, wall (run start to last write), their ratio and the breakdown of one company.
    ``last_request_writes``: the writes of the last request, which land at the end of the
    writing span and are left out of its rate."""
    floor = floor_seconds(writes, limits)
    wall = seconds(moments.get("run_start"), moments.get("last_write"))
    span = seconds(moments.get("first_write"), moments.get("last_write"))
    rate = (writes - last_request_writes) / span * float(limits["minute_seconds"]) if span else None
    return {
        "writes": writes,
        "floor_s": round(floor, 2),
        "wall_s": wall,
        "ratio": round(wall / floor, 3) if wall and floor else None,
        "writing_s": span,
        "writes_per_minute_while_writing": round(rate, 1) if rate else None,
        "of_combined_ceiling_while_writing": round(rate / combined_ceiling(limits), 3) if rate else None,
        "breakdown": breakdown(moments, floor),
    }


def run_figures(companies: list[dict[str, Any]], limits: dict[str, Any]) -> dict[str, Any]:
    """N companies at once: the floor of the largest, the wall to the last write of any, and
    the aggregate rate (all writes over first to last write) against N x the ceiling."""
    if not companies:
        return {}
    writes = sum(c["writes"] for c in companies)
    floor = max(c["floor_s"] for c in companies)
    walls = [c["wall_s"] for c in companies if c["wall_s"] is not None]
    wall = max(walls) if walls else None
    firsts = [c["first_write"] for c in companies if c.get("first_write")]
    lasts = [c["last_write"] for c in companies if c.get("last_write")]
    span = seconds(min(firsts), max(lasts)) if firsts and lasts else None
    ceiling = combined_ceiling(limits) * len(companies)
    rate = (writes - len(companies)) / span * float(limits["minute_seconds"]) if span else None
    return {
        "companies": len(companies),
        "writes": writes,
        "floor_s": round(floor, 2),
        "wall_s": wall,
        "ratio": round(wall / floor, 3) if wall and floor else None,
        "aggregate_writes_per_minute": round(rate, 1) if rate else None,
        "ceiling_per_minute": ceiling,
        "of_ceiling": round(rate / ceiling, 3) if rate else None,
    }


def projected_ratio(
    wall_s: float, writing_s: float | None, floor_s: float, minute_s: float, real_minute_s: float = 60.0
) -> float | None:
    """The ratio with QuickBooks' real minute, an estimate: the floor grows with the minute,
    and so does the writing (assumed to keep its share of the ceiling); the time before the
    first write (task starts, extract, validate) does not."""
    if not floor_s or minute_s <= 0 or writing_s is None:
        return None
    k = real_minute_s / minute_s
    before = wall_s - writing_s
    return round((before + writing_s * k) / (floor_s * k), 3)


def cpu_per_write_ms(cpu_s: dict[str, float], writes: int) -> dict[str, float] | None:
    if not writes:
        return None
    return {k: round(v * 1000 / writes, 3) for k, v in cpu_s.items()}


# ---------------------------------------------------------------------- Markdown
def _n(value: Any, digits: int = 0) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}" if isinstance(value, (int, float)) else str(value)


def _table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    out = [
        "| " + " | ".join(headers) + " |",
        "| " + " | ".join("---:" if i else "---" for i in range(len(headers))) + " |",
    ]
    return out + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]


def markdown(backfill: dict[str, Any] | None, companies: dict[str, Any] | None) -> list[str]:
    lines: list[str] = []
    runs = [("backfill", r) for r in (backfill or {}).get("runs", [])]
    runs += [("companies", r) for r in (companies or {}).get("runs", [])]
    if not runs:
        return lines
    lines += ["", "## Backfill through a real scheduler (LocalExecutor, triggered full_sync run)", ""]
    rows = []
    for section, r in runs:
        f = r.get("figures") or {}
        cpu = r.get("cpu_ms_per_write") or {}
        rows.append(
            [
                section,
                r["companies"],
                _n(r["invoices_per_company"]),
                r["state"],
                _n(f.get("writes")),
                _n(f.get("floor_s"), 1),
                _n(f.get("wall_s"), 1),
                f"**{_n(f.get('ratio'), 3)}**",
                _n(r.get("projected_ratio_60s_minute"), 3),
                _n(f.get("aggregate_writes_per_minute")),
                _n(f.get("of_ceiling"), 3),
                f"{_n(cpu.get('airflow'), 2)} / {_n(cpu.get('postgresql_server'), 2)} / {_n(cpu.get('emulator'), 2)}",
                _n(r.get("machine_cpu_busy"), 2),
                r.get("throttled_429"),
                r.get("failed_records"),
                "yes" if r.get("exactly_once") else "**no**",
                f"{r['load_average_before']} -> {r['load_average_end']}",
            ]
        )
    lines += _table(
        [
            "section",
            "companies",
            "invoices / company",
            "run",
            "writes",
            "floor s",
            "wall s (run start to last write)",
            "wall / floor",
            "same, 60-s minute (estimate: writing keeps its share)",
            "aggregate writes / emulated min",
            "of companies x 1,660",
            "CPU ms / write: Airflow / PostgreSQL / emulator",
            "machine busy",
            "429s",
            "failed",
            "each record once in QuickBooks",
            "load avg",
        ],
        rows,
    )
    for section, r in runs:
        company = (r.get("per_company") or [{}])[0]
        if not company.get("breakdown"):
            continue
        lines += [
            "",
            f"Where the time went ({section}, {r['companies']} companies; tenant {company['tenant_id']}):",
            "",
        ]
        lines += _table(
            ["segment", "seconds", "floor s", "over floor s"],
            [
                [b["segment"], _n(b["seconds"], 1), _n(b.get("floor_s"), 1), _n(b.get("over_floor_s"), 1)]
                for b in company["breakdown"]
            ],
        )
        stages = company.get("writing_by_stage") or []
        if stages:
            lines += [""]
            lines += _table(
                ["writing stage", "writes", "seconds", "floor s"],
                [[s["stage"], _n(s["writes"]), _n(s["seconds"], 1), _n(s["floor_s"], 1)] for s in stages],
            )
    return lines


def targets(backfill: dict[str, Any] | None, companies: dict[str, Any] | None) -> list[dict[str, Any]]:
    out = []
    for r in (backfill or {}).get("runs", []):
        f = r.get("figures") or {}
        if f.get("ratio") is not None:
            out.append(
                {
                    "target": f"backfill of {r['companies']} company(ies), {r['invoices_per_company']:,} "
                    "invoices each: wall / floor",
                    "measured": f"{f['ratio']:.3f} ({f['wall_s']:.0f} s / {f['floor_s']:.0f} s), "
                    f"{r['failed_records']} failed",
                    "wanted": f"<= {RATIO_TARGET}",
                    "met": f["ratio"] <= RATIO_TARGET and r["failed_records"] == 0 and bool(r.get("exactly_once")),
                }
            )
    for r in (companies or {}).get("runs", []):
        f = r.get("figures") or {}
        if f.get("of_ceiling") is not None:
            out.append(
                {
                    "target": f"{r['companies']} companies at once: aggregate of companies x 1,660",
                    "measured": f"{f['of_ceiling']:.3f}, machine busy {_n(r.get('machine_cpu_busy'), 2)}",
                    "wanted": f">= {AGGREGATE_TARGET} (or the cores the limit)",
                    "met": f["of_ceiling"] >= AGGREGATE_TARGET,
                }
            )
    return out
