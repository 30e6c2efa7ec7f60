"""What the "QuickBooks sync" page shows: tenants and their connection, last runs, and the
filterable records table (also as CSV). Plain functions over psycopg; no web framework."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import psycopg

from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.operations.controls import ENTITIES

STATUSES = ("failed", "synced", "skipped", "excluded")
PAGE_ROWS = 500
CSV_ROWS = 100_000


class BadFilter(ValueError):
    pass


@dataclass(frozen=True)
class Filters:
    status: str | None = None
    entity: str | None = None
    date_from: date | None = None  # last attempt on or after this day (UTC)
    date_to: date | None = None  # last attempt on or before this day (UTC)
    q: str | None = None

    @classmethod
    def parse(
        cls,
        status: str | None = None,
        entity: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        q: str | None = None,
    ) -> Filters:
        """From query-string values; empty means "any". Refuses what it cannot read."""
        status = (status or "").strip() or None
        entity = (entity or "").strip() or None
        if status and status not in STATUSES:
            raise BadFilter(f"status must be one of {', '.join(STATUSES)}")
        if entity and entity not in ENTITIES:
            raise BadFilter(f"entity must be one of {', '.join(ENTITIES)}")
        q = (q or "").strip()[:200] or None
        return cls(status, entity, _day(date_from, "from"), _day(date_to, "to"), q)

    def params(self) -> dict[str, Any]:
        def start(d: date | None) -> datetime | None:
            return None if d is None else datetime.combine(d, time.min, tzinfo=UTC)

        return {
            "status": self.status,
            "entity": self.entity,
            "date_from": start(self.date_from),
            "date_to": start(self.date_to + timedelta(days=1)) if self.date_to else None,
            "q": self.q,
        }

    def query(self) -> dict[str, str]:
        """The filters as query-string values (for links: CSV, back after an action)."""
        values = {
            "status": self.status,
            "entity": self.entity,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "q": self.q,
        }
        return {k: v for k, v in values.items() if v}


def _day(value: str | None, which: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadFilter(f"the '{which}' date must look like 2026-11-23") from None


def tenants(conn: psycopg.Connection) -> list[dict[str, Any]]:
    cur = conn.execute(load_sql("operations/tenants_overview"))
    names = [c.name for c in cur.description]
    return [dict(zip(names, row, strict=False)) for row in cur.fetchall()]


def last_runs(conn: psycopg.Connection, tenant_id: int, limit: int = 10) -> list[dict[str, Any]]:
    """The tenant's latest runs with their counts; a run's failures split as the report judges
    them (report/verdict.py): ``new`` failed for the first time in that run (what marks it red),
    ``waiting`` still wait for finance (failed before for the same cause). Records held back by
    a fault of the whole tenant are in ``failed`` only."""
    from qbo_sync.report import verdict

    cur = conn.execute(load_sql("operations/last_runs"), {"tenant_id": tenant_id, "limit": limit})
    names = [c.name for c in cur.description]
    runs = [dict(zip(names, row, strict=False)) for row in cur.fetchall()]
    for run in runs:
        judged = verdict.evaluate(conn, run["run_id"]).tenants.get(tenant_id) if run["failed"] else None
        run["new"] = len(judged.new_failures) if judged else 0
        run["waiting"] = len(judged.waiting) if judged else 0
    return runs


def loads_in_flight(conn: psycopg.Connection) -> list[dict[str, Any]]:
    """Each tenant's load in flight: its progress line (qbo_sync.load.progress), the run and
    how many seconds ago the loader last updated it."""
    from qbo_sync.load.progress import progress_line

    rows = conn.execute(load_sql("operations/loads_in_flight")).fetchall()
    return [
        {
            "tenant_id": tid,
            "run_id": run_id,
            "line": progress_line(tid, entity, done, total, elapsed),
            "age_s": round(age or 0),
        }
        for tid, run_id, entity, done, total, elapsed, age in rows
    ]


def status_counts(conn: psycopg.Connection, tenant_id: int) -> dict[str, int]:
    return dict(conn.execute(load_sql("operations/status_counts"), {"tenant_id": tenant_id}).fetchall())


def records(conn: psycopg.Connection, tenant_id: int, filters: Filters, limit: int = PAGE_ROWS) -> list[dict[str, Any]]:
    cur = conn.execute(load_sql("operations/records"), {"tenant_id": tenant_id, "limit": limit, **filters.params()})
    names = [c.name for c in cur.description]
    return [dict(zip(names, row, strict=False)) for row in cur.fetchall()]


CSV_COLUMNS = (
    "entity",
    "source_id",
    "source_ref",
    "status",
    "action",
    "error_code",
    "category",
    "cause",
    "fix",
    "qbo_id",
    "amount",
    "logged_at",
    "run_id",
    "resync_requested_at",
    "note",
    "updated_by",
    "adjustments",
    "acted_by",  # who linked or unlinked it (Link / Unlink), when that is its latest row
)


def records_csv(conn: psycopg.Connection, tenant_id: int, filters: Filters) -> str:
    """The filtered records as CSV: amounts as exact decimals, times in UTC ISO 8601."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(("tenant_id", *CSV_COLUMNS))
    for row in records(conn, tenant_id, filters, limit=CSV_ROWS):
        writer.writerow((tenant_id, *(_cell(row[c]) for c in CSV_COLUMNS)))
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    text = str(value)
    # A cell a spreadsheet could run as a formula is made text with a leading quote: every
    # start OWASP lists (= + - @ tab carriage return), line feed, their full-width forms,
    # and any of them after leading spaces (some spreadsheets trim those first).
    return "'" + text if text.lstrip(" ")[:1] in FORMULA_STARTS else text


# OWASP "CSV Injection": = + - @ tab (0x09) carriage return (0x0D); also line feed and the
# full-width = + - @ that some spreadsheets normalise.
FORMULA_STARTS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
