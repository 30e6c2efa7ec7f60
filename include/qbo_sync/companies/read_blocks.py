"""Reads blocked for the month: remembered per tenant so later runs neither ask QuickBooks
nor retry every minute.

When QuickBooks blocks an app's metered (CorePlus) reads - the App Partner Program's monthly
allowance is spent - the client raises :class:`qbo_client.ReadsBlocked`. The sync remembers
the block in ``qbo_sync.read_blocks`` until the next month begins (UTC); while it stands, the
steps that read (validation's company facts and look-ups, payments back) skip the tenant at
once, and its records get one explained outcome each (``reads_blocked``) without a request.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg

from qbo_sync.db.sqlfiles import load_sql


@dataclass(frozen=True)
class ReadBlock:
    tenant_id: int
    realm_id: str
    blocked_at: datetime
    blocked_until: datetime
    detail: str

    @property
    def until_text(self) -> str:
        """E.g. '1 Dec 2026 00:00 UTC': when reads are allowed again."""
        return f"{self.blocked_until.day} {self.blocked_until:%b %Y %H:%M} UTC"

    def context(self) -> dict[str, str]:
        return {"blocked_until": self.until_text}


def current(conn: psycopg.Connection, tenant_id: int) -> ReadBlock | None:
    row = conn.execute(load_sql("companies/read_block"), {"tenant_id": tenant_id}).fetchone()
    return ReadBlock(*row) if row else None


def remember(conn: psycopg.Connection, tenant_id: int, realm_id: str, error: Exception) -> ReadBlock:
    """Record QuickBooks' block (``error``: a ReadsBlocked) until the next month begins, UTC."""
    fault = getattr(error, "fault", None)
    detail = fault.summary() if fault is not None else str(error)
    row = conn.execute(load_sql("companies/remember_read_block"), {
        "tenant_id": tenant_id, "realm_id": realm_id, "detail": detail}).fetchone()
    return ReadBlock(*row)
