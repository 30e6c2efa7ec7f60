"""Run the doctor's checks in order and print what it found (see ``qbo_sync.doctor``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.doctor import Report
from qbo_sync.doctor.deployment import check_airflow, check_key, check_migrations, open_database
from qbo_sync.doctor.tenant import check_tenant


def _database_url(explicit: str | None) -> str:
    from qbo_sync.db.connection import database_url
    from qbo_sync.settings import database_settings

    # A configured server is used as it is (never created here); otherwise the embedded one.
    return explicit or database_settings().url or database_url()


def diagnose(database_url: str | None = None, tenant_id: int | None = None) -> Report:
    report = Report()
    url = _database_url(database_url)
    conn = open_database(report, url)
    if conn is None:
        return report
    with conn:
        if not check_migrations(report, conn):
            return report
        tenants = conn.execute(load_sql("doctor/tenants"), {"tenant_id": tenant_id}).fetchall()
        cipher = check_key(report, tenants)
        settings = check_airflow(report, url)
        if tenant_id is not None and not tenants:
            report.add(
                f"tenant {tenant_id}",
                "is not connected to QuickBooks",
                f"Connect it: `python -m qbo_sync.companies authorize --tenant-id {tenant_id}`.",
            )
        if cipher is None or settings is None:
            if tenants:
                report.good.append("tenants not checked against QuickBooks until the problems above are fixed")
            return report
        from qbo_sync.companies import client_for_tenant

        def factory(tid: int):
            return client_for_tenant(url, tid, settings=settings, cipher=cipher)

        for row in tenants:
            check_tenant(report, conn, row, factory)
        if not tenants and tenant_id is None:
            report.good.append("no tenant is connected to QuickBooks yet (`python -m qbo_sync.companies authorize`)")
    return report


def build_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--tenant-id", type=int, help="check only this tenant (and the deployment)")
    parser.add_argument("--database-url", help="the project database (default: QBO_SYNC_DATABASE_URL or embedded)")
    return parser


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    args = build_parser(argparse.ArgumentParser(prog="python -m qbo_sync doctor")).parse_args(argv)
    report = diagnose(args.database_url, args.tenant_id)
    print(report.render(), file=out or sys.stdout)
    return report.exit_code
