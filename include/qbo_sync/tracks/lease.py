"""A tenant's lease on its track: the row in ``qbo_sync.tenant_tracks``.

One run works on a tenant at a time. A scheduled or manual run that finds a tenant held by
another run (a long backfill) leaves it and says so; the tenant is then owed that run's window,
and its next track reaches back to it, so no change is lost. A backfill run waits for the
tenant instead, so that each of its intervals is synced by its own run. A retry of the same run
resumes the tenant's unfinished track and leaves finished ones alone; a track left without a
heartbeat for longer than the lease (its worker was killed, nothing retried it) is taken over,
and every record it may have been writing is looked up in QuickBooks before it is posted.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import psycopg

from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.extract.records import RunWindow

log = logging.getLogger(__name__)
WAIT_POLL_SECONDS = 5.0


def _minutes(name: str, raw: str | None, default: float, unit: str = "minutes") -> timedelta:
    try:
        value = float(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number of {unit}; set it to e.g. {default:g}") from None
    if value <= 0:
        raise ValueError(f"{name}={raw!r} must be more than 0 {unit}")
    return timedelta(**{unit: value})


def lease() -> timedelta:
    """How long a track may go without a heartbeat before another run takes it over
    (``QBO_SYNC_TRACK_LEASE_MINUTES``, default 20; a track beats at every stage and load batch)."""
    return _minutes("QBO_SYNC_TRACK_LEASE_MINUTES", os.environ.get("QBO_SYNC_TRACK_LEASE_MINUTES"), 20)


def backfill_wait() -> timedelta:
    """How long a backfill run waits for a tenant another run holds before it leaves it too
    (``QBO_SYNC_BACKFILL_WAIT_MINUTES``, default 60)."""
    return _minutes("QBO_SYNC_BACKFILL_WAIT_MINUTES", os.environ.get("QBO_SYNC_BACKFILL_WAIT_MINUTES"), 60)


@dataclass(frozen=True)
class Claim:
    ours: bool
    pending_from: datetime | None = None  # the tenant is owed changes since then
    holder_run_id: str | None = None  # who holds it, when not ours
    finished_here: bool = False  # this run already finished this tenant
    interrupted: bool = False  # the previous track did not end cleanly (killed, or failed)
    pending_full: bool = False  # a full sync had to leave the tenant: this track does one

    def why_not(self, tenant_id: int) -> str:
        if self.finished_here:
            return (
                f"tenant {tenant_id} was already synced by this run; nothing to do (clear the task or the "
                "run in Airflow to sync its tenants afresh, or resync a record with the qbo_resync DAG)"
            )
        return (
            f"tenant {tenant_id} is being synced by run {self.holder_run_id}; this run leaves it, and "
            "the tenant's next run also takes up every change of this run's window"
        )


def claim(conn: psycopg.Connection, tenant_id: int, run_id: str, run_clear: int = 0) -> Claim:
    """``run_clear``: how many times Airflow cleared the run; a cleared run runs its tenants afresh."""
    row = conn.execute(
        load_sql("tracks/claim"),
        {"tenant_id": tenant_id, "run_id": run_id, "run_clear": run_clear, "lease_seconds": lease().total_seconds()},
    ).fetchone()
    if row is not None:
        return Claim(True, pending_from=row[0], interrupted=row[1] in ("running", "failed"), pending_full=row[2])
    holder = conn.execute(load_sql("tracks/holder"), {"tenant_id": tenant_id}).fetchone()
    holder_run, state, clear = (holder[0], holder[1], holder[2]) if holder else (None, None, None)
    return Claim(
        False, holder_run_id=holder_run, finished_here=holder_run == run_id and state == "done" and clear == run_clear
    )


def claim_for(conn: psycopg.Connection, tenant_id: int, window: RunWindow) -> Claim:
    """Claim the tenant's track; a backfill run waits while another run holds it (up to
    ``backfill_wait()``); a run that leaves the tenant records the window it is owed."""
    got = claim(conn, tenant_id, window.run_id, window.run_clear)
    if window.backfill and not got.ours and not got.finished_here:
        deadline = time.monotonic() + backfill_wait().total_seconds()
        log.info("tenant %s is being synced by run %s: this backfill run waits for it", tenant_id, got.holder_run_id)
        while not got.ours and not got.finished_here and time.monotonic() < deadline:
            time.sleep(WAIT_POLL_SECONDS)
            got = claim(conn, tenant_id, window.run_id, window.run_clear)
    if not got.ours and not got.finished_here:
        conn.execute(
            load_sql("tracks/leave"),
            {"tenant_id": tenant_id, "start": window.start, "end": window.end, "full_sync": window.full_sync},
        )
    return got


def at_stage(conn: psycopg.Connection, tenant_id: int, run_id: str, stage: str) -> None:
    """The track reached a stage, or is still alive inside one: its heartbeat."""
    conn.execute(load_sql("tracks/at_stage"), {"tenant_id": tenant_id, "run_id": run_id, "stage": stage})


def finish(conn: psycopg.Connection, tenant_id: int, window: RunWindow, *, failed: bool, staged: bool) -> None:
    """End the track; ``window`` is the one it staged (widened), ``staged`` whether it did."""
    conn.execute(
        load_sql("tracks/finish"),
        {
            "tenant_id": tenant_id,
            "run_id": window.run_id,
            "state": "failed" if failed else "done",
            "staged": staged,
            "covers_all": window.full_sync,
            "start": window.start,
            "end": window.end,
        },
    )


def widened(window: RunWindow, pending_from: datetime | None, pending_full: bool = False) -> RunWindow:
    """The run's window, reaching back to the changes the tenant is owed (a run that had to
    leave it, a track that ended before staging); a full sync when a full sync had to leave it."""
    if pending_full and not window.full_sync:
        return replace(window, full_sync=True)
    if window.full_sync or pending_from is None or pending_from >= window.start:
        return window
    return replace(window, start=pending_from)


def idle_poll() -> timedelta | None:
    """How often an idle tenant's QuickBooks payments are read back (``QBO_SYNC_IDLE_POLL_MINUTES``;
    unset or 0: every run). Reads are metered per app per month; see docs/operations.md."""
    raw = os.environ.get("QBO_SYNC_IDLE_POLL_MINUTES")
    if not raw or raw.strip() == "0":
        return None
    return _minutes("QBO_SYNC_IDLE_POLL_MINUTES", raw, 0)


def idle_after() -> timedelta:
    """How long nothing must move for a tenant before it counts as idle
    (``QBO_SYNC_IDLE_AFTER_HOURS``, default 24)."""
    return _minutes("QBO_SYNC_IDLE_AFTER_HOURS", os.environ.get("QBO_SYNC_IDLE_AFTER_HOURS"), 24, "hours")


def poll_due(conn: psycopg.Connection, tenant_id: int) -> tuple[bool, str]:
    """Whether to read the tenant's QuickBooks payments back this run, and why not."""
    every = idle_poll()
    if every is None:
        return True, ""
    row = conn.execute(
        load_sql("tracks/poll_due"),
        {
            "tenant_id": tenant_id,
            "poll_seconds": every.total_seconds(),
            "idle_after_seconds": idle_after().total_seconds(),
        },
    ).fetchone()
    if row is None or row[0]:
        return True, ""
    return False, (
        f"idle since {row[1]:%Y-%m-%d %H:%M} UTC: QuickBooks payments are read back every "
        f"{every.total_seconds() / 60:g} minutes, next after {row[2]:%Y-%m-%d %H:%M} UTC"
    )


def polled(conn: psycopg.Connection, tenant_id: int, run_id: str, *, active: bool) -> None:
    conn.execute(load_sql("tracks/polled"), {"tenant_id": tenant_id, "run_id": run_id, "active": active})


def mark_active(conn: psycopg.Connection, tenant_id: int, run_id: str) -> None:
    conn.execute(load_sql("tracks/mark_active"), {"tenant_id": tenant_id, "run_id": run_id})


def record_run(
    conn: psycopg.Connection,
    tenant_id: int,
    run_id: str,
    *,
    state: str,
    reads: int = 0,
    polled_back: bool = False,
    note: str | None = None,
    started_at: datetime | None = None,
) -> None:
    """How the tenant's track ended in this run (``qbo_sync.track_runs``): the run report's
    reads and the fleet benchmark's timestamps come from here."""
    conn.execute(
        load_sql("tracks/record_run"),
        {
            "run_id": run_id,
            "tenant_id": tenant_id,
            "state": state,
            "reads": reads,
            "polled": polled_back,
            "note": note,
            "started_at": started_at,
        },
    )
