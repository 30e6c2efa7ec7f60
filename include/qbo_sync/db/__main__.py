"""``python -m qbo_sync.db {url|migrate|stop|airflow-conn}``: the database from a shell."""

from __future__ import annotations

import argparse
import sys

from qbo_sync.db import embedded
from qbo_sync.db.connection import airflow_connection_json, connect, database_url
from qbo_sync.db.migrations import MigrationError, migrate
from qbo_sync.settings import database_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qbo_sync.db", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("url", help="print the database URL (starts the embedded server if needed)")
    sub.add_parser("migrate", help="apply pending migrations from sql/migrations")
    sub.add_parser("stop", help="stop the embedded PostgreSQL, if it runs")
    sub.add_parser("airflow-conn", help="print an AIRFLOW_CONN_* JSON value for the database")
    args = parser.parse_args(argv)

    try:
        if args.command == "stop":
            stopped = embedded.stop(database_settings().embedded_dir)
            print("embedded PostgreSQL stopped" if stopped else "embedded PostgreSQL was not running")
            return 0
        url = database_url()
        if args.command == "url":
            print(url)
        elif args.command == "airflow-conn":
            print(airflow_connection_json(url))
        elif args.command == "migrate":
            with connect(url) as conn:
                applied = migrate(conn)
            print(f"migrations applied: {', '.join(applied) if applied else 'none (up to date)'}")
    except (embedded.EmbeddedPostgresUnavailable, MigrationError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
