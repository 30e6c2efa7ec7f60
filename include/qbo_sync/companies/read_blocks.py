"""Reads blocked for the month: remembered per tenant so later runs neither ask QuickBooks
nor retry every minute.

When QuickBooks blocks an app's metered (CorePlus) reads - the App Partner Program's monthly
allowance is spent - the client raises :class:`qbo_client.ReadsBlocked`. The sync remembers
the block in ``qbo_sync.read_blocks`` until the next month begins (UTC); while it stands, the
steps that read (validation's company facts and look-ups, payments back) skip the tenant at
once, and its records get one explained outcome each (``reads_blocked``) without a request.

    python -m qbo_sync.companies.read_blocks                      # tenants whose reads are blocked
    python -m qbo_sync.companies.read_blocks --clear --tenant-id 1  # reads allowed again (tier upgraded)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
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
    row = conn.execute(
        load_sql("companies/remember_read_block"), {"tenant_id": tenant_id, "realm_id": realm_id, "detail": detail}
    ).fetchone()
    return ReadBlock(*row)


def clear(conn: psycopg.Connection, tenant_id: int) -> bool:
    """Forget the tenant's block (reads allowed again, e.g. after an upgrade); True if there was one."""
    return conn.execute(load_sql("companies/clear_read_block"), {"tenant_id": tenant_id}).fetchone() is not None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m qbo_sync.companies.read_blocks",
        description="Tenants whose QuickBooks reads are blocked for the month.",
    )
    parser.add_argument("--database-url", help="the project database (default: QBO_SYNC_DATABASE_URL or embedded)")
    parser.add_argument(
        "--clear", action="store_true", help="forget the block of --tenant-id: the next run reads QuickBooks again"
    )
    parser.add_argument("--tenant-id", type=int)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.clear and args.tenant_id is None:
        parser.error("--clear needs --tenant-id")
    from qbo_sync.db.connection import connect

    with connect(args.database_url) as conn:
        if args.clear:
            found = clear(conn, args.tenant_id)
            print(
                f"tenant {args.tenant_id}: "
                + ("block forgotten; the next run reads QuickBooks again" if found else "no read block was recorded")
            )
            return 0
        rows = [ReadBlock(*r) for r in conn.execute(load_sql("companies/read_blocks_all"))]
    if not rows:
        print("No tenant has its QuickBooks reads blocked.")
    for b in rows:
        print(
            f"tenant {b.tenant_id} (realm {b.realm_id}): reads blocked until {b.until_text} "
            f"(since {b.blocked_at:%Y-%m-%d %H:%M} UTC): {b.detail}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
