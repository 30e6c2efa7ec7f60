"""A run over everything staged, and one record's sync-log row, for tests that sync for real."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from psycopg import sql

from qbo_sync.extract.records import RunWindow


def full_window(run_id: str) -> RunWindow:
    """A full-sync window around now: every staged record of every tenant is considered."""
    now = datetime.now(UTC)
    return RunWindow(run_id, now - timedelta(hours=1), now + timedelta(minutes=1), full_sync=True)


def logged(db, run_id: str, entity: str, source_id: int, *columns: str) -> tuple | None:
    """``columns`` of the record's ``qbo_sync.sync_log`` row in run ``run_id``."""
    statement = sql.SQL("SELECT {} FROM qbo_sync.sync_log WHERE run_id = %s AND entity = %s AND source_id = %s").format(
        sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    return db.execute(statement, (run_id, entity, source_id)).fetchone()
