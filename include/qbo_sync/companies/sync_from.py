"""Where a tenant's history starts (its sync-from moment, ``tenant_connections.connected_at``).

Records finalized before it are historical and never synced (validate's
``historical_invoice``). ``connect``/``authorize`` set it (default: now, said aloud);
``tenants set --sync-from`` moves it: earlier asks the next run for the records finalized
since then that are not in QuickBooks yet (each looked up there first, so nothing is
doubled); later leaves what already synced as it is.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import psycopg

from qbo_sync.db.sqlfiles import load_sql


def parse_sync_from(text: str) -> datetime:
    """``YYYY-MM-DD`` (midnight UTC) or an ISO date-time (UTC when no offset is given)."""
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--sync-from {text!r} is not a date: write it as YYYY-MM-DD, e.g. 2026-07-01") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def sync_from_arg(text: str) -> datetime:
    """``parse_sync_from`` for argparse: its message, not argparse's generic one."""
    try:
        return parse_sync_from(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def when(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    if (moment.hour, moment.minute, moment.second, moment.microsecond) == (0, 0, 0, 0):
        return moment.strftime("%Y-%m-%d")
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def announce(tenant_id: int, sync_from: datetime, *, chosen: bool) -> str:
    """What connect says about the cutoff it set."""
    how = "chosen with --sync-from" if chosen else "the moment of connecting, the default"
    return (
        f"tenant {tenant_id}: syncs records finalized from {when(sync_from)} on ({how}); records "
        f"finalized before {when(sync_from)} will not sync. Choose another date with "
        f"`python -m qbo_sync.tenants set --tenant-id {tenant_id} --sync-from YYYY-MM-DD`."
    )


@dataclass
class SyncFromChange:
    tenant_id: int
    previous: datetime
    sync_from: datetime
    requested: dict[str, int] = field(default_factory=dict)  # entity -> records asked for

    def explain(self) -> str:
        t, old, new = self.tenant_id, when(self.previous), when(self.sync_from)
        if self.sync_from < self.previous:
            asked = ", ".join(f"{n} {entity}(s)" for entity, n in sorted(self.requested.items()))
            what = (
                f"{asked} not in QuickBooks yet will be sent"
                if asked
                else "none is missing from QuickBooks, so nothing more will be sent"
            )
            return (
                f"tenant {t}: sync-from moved earlier, {old} -> {new}. Records finalized since {new} "
                f"sync on the next run: {what}. Each invoice is looked up in QuickBooks by its "
                "number first, so one already entered there is not doubled (the sync log says so "
                "instead)."
            )
        if self.sync_from > self.previous:
            return (
                f"tenant {t}: sync-from moved later, {old} -> {new}. Records already synced stay in "
                f"QuickBooks as they are; records finalized before {new} that are not synced yet will "
                "not sync (the sync log marks them historical)."
            )
        return f"tenant {t}: sync-from unchanged ({new})."


def set_sync_from(
    conn: psycopg.Connection, tenant_id: int, sync_from: datetime, *, requested_by: str = "tenants set --sync-from"
) -> SyncFromChange:
    """Move the tenant's cutoff; raises LookupError for a tenant never connected."""
    with conn.transaction():
        row = conn.execute(
            load_sql("companies/set_sync_from"), {"tenant_id": tenant_id, "sync_from": sync_from}
        ).fetchone()
        if row is None:
            raise LookupError(
                f"tenant {tenant_id} is not connected to QuickBooks, so it has no sync-from date yet: "
                f"connect it with `python -m qbo_sync.companies authorize --tenant-id {tenant_id} "
                "--sync-from YYYY-MM-DD`"
            )
        change = SyncFromChange(tenant_id, row[0], sync_from)
        if sync_from < change.previous:
            note = f"sync-from moved from {when(change.previous)} to {when(sync_from)}"
            change.requested = dict(
                conn.execute(
                    load_sql("tenants/resync_since"),
                    {
                        "tenant_id": tenant_id,
                        "sync_from": sync_from,
                        "previous": change.previous,
                        "note": note,
                        "requested_by": requested_by,
                    },
                ).fetchall()
            )
    return change
