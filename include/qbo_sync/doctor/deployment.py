"""The doctor's deployment-wide checks: database, migrations, token key, Airflow connections."""

from __future__ import annotations

import json
import os
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from qbo_sync.companies.crypto import KEY_ENV, EncryptionKeyError, TokenCipher
from qbo_sync.companies.settings import CONN_ENV, AppSettings, AppSettingsError
from qbo_sync.db.migrations import MigrationError, discover
from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.doctor import Report

DB_CONN_ID = "qbo_sync_db"  # plugins/qbo_airflow/runtime.py, hooks/quickbooks_hook.py
QBO_CONN_ID = "quickbooks_default"


def where_is(url: str) -> str:
    """host:port/dbname of a database URL: never its password."""
    parts = conninfo_to_dict(url)
    return f"{parts.get('host', 'localhost')}:{parts.get('port', 5432)}/{parts.get('dbname', '?')}"


def open_database(report: Report, url: str) -> psycopg.Connection | None:
    try:
        conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
    except psycopg.Error as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        report.add(
            "deployment",
            f"the project database at {where_is(url)} cannot be reached ({reason})",
            "Start it (`make db` starts the embedded one) or point QBO_SYNC_DATABASE_URL at a "
            "running PostgreSQL the sync can log in to.",
        )
        return None
    report.good.append(f"database {where_is(url)} reachable")
    return conn


def check_migrations(report: Report, conn: psycopg.Connection) -> bool:
    """True when every migration in sql/migrations is applied, unchanged."""
    try:
        expected = discover()
    except MigrationError as error:
        report.add("deployment", str(error), "Fix the file names in sql/migrations (NNNN_lower_snake_name.sql).")
        return False
    has_table = conn.execute(load_sql("doctor/migrations_table")).fetchone()[0]
    applied = dict(conn.execute(load_sql("admin/applied_migrations")).fetchall()) if has_table else {}
    pending = [f"{m.version}_{m.name}" for m in expected if m.version not in applied]
    changed = [f"{m.version}_{m.name}" for m in expected if m.version in applied and applied[m.version] != m.checksum]
    if pending:
        report.add(
            "deployment",
            f"{len(pending)} migration(s) not applied to the database: {', '.join(pending)}",
            "Apply them: `make db` (or `python -m qbo_sync.db migrate` with the same "
            "QBO_SYNC_DATABASE_URL), then run the doctor again.",
        )
    if changed:
        report.add(
            "deployment",
            f"migration(s) changed after they were applied: {', '.join(changed)}",
            "Revert the edits to those files and put the change in a new migration.",
        )
    if not pending and not changed:
        report.good.append(f"database migrated ({len(expected)} migrations, none pending)")
    return not pending


def check_key(report: Report, tenants: list[tuple]) -> TokenCipher | None:
    """The Fernet key opens every tenant's stored tokens."""
    try:
        cipher = TokenCipher.from_env()
    except EncryptionKeyError as error:
        report.add("deployment", f"the token key is unusable: {str(error).splitlines()[0]}", str(error))
        return None
    bad = []
    for tenant_id, name, *_rest, access_enc, refresh_enc in tenants:
        try:
            cipher.decrypt(access_enc)
            cipher.decrypt(refresh_enc)
        except EncryptionKeyError:
            bad.append(f"tenant {tenant_id} ({name})")
    if bad:
        report.add(
            "deployment",
            f"the key in {KEY_ENV} does not open the stored QuickBooks tokens of {', '.join(bad)}",
            f"Set {KEY_ENV} to the key the tokens were stored with (if the key was changed, list the "
            "new key first and the old one after it, comma-separated, then run `python -m "
            "qbo_sync.companies rotate-key`). If the old key is lost, reconnect each of these "
            "tenants: `python -m qbo_sync.companies authorize --tenant-id N`.",
        )
        return None
    report.good.append(f"{KEY_ENV} opens the tokens of all {len(tenants)} connected tenant(s)")
    return cipher


def _from_airflow(conn_id: str) -> tuple[dict[str, Any] | None, str]:
    """A connection from Airflow's secrets backends (environment, then metadata DB)."""
    env = os.environ.get(f"AIRFLOW_CONN_{conn_id.upper()}")
    if env:
        try:
            value = json.loads(env)
        except ValueError:
            value = {"uri": env}
        return (value if isinstance(value, dict) else {"uri": env}), "the environment"
    try:
        from airflow.models.connection import Connection

        found = Connection.get_connection_from_secrets(conn_id)
    except Exception as error:  # noqa: BLE001 - not found, or no metadata DB: both mean "missing"
        return None, f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"[:200]
    return {
        "conn_type": found.conn_type,
        "login": found.login,
        "password": found.password,
        "extra": found.extra_dejson,
    }, "Airflow's metadata database"


def check_airflow(report: Report, database_url: str) -> AppSettings | None:
    """Both connections the DAGs use; returns the QuickBooks app's settings when usable."""
    db_conn, source = _from_airflow(DB_CONN_ID)
    if db_conn is None:
        report.add(
            "deployment",
            f"the Airflow connection {DB_CONN_ID} (the project database the DAGs use) is missing ({source})",
            f"Add it, type Postgres, pointing at {where_is(database_url)}: in the environment as "
            f"AIRFLOW_CONN_{DB_CONN_ID.upper()} (print the value with `python -m qbo_sync.db "
            "airflow-conn`), or in Airflow under Admin > Connections.",
        )
    else:
        report.good.append(f"Airflow connection {DB_CONN_ID} found (from {source})")
    qbo_conn, source = _from_airflow(QBO_CONN_ID)
    if qbo_conn is None:
        report.add(
            "deployment",
            f"the Airflow connection {QBO_CONN_ID} (the QuickBooks app: client id and secret) is missing ({source})",
            f"Add it, type quickbooks, with the app's client id as login and its client secret as "
            f"password from Intuit's developer portal (Keys & credentials): as {CONN_ENV} in the "
            "environment (README, 'Connecting real companies') or in Airflow under Admin > Connections.",
        )
        return None
    try:
        settings = AppSettings.from_connection(qbo_conn.get("login"), qbo_conn.get("password"), qbo_conn.get("extra"))
    except AppSettingsError as error:
        report.add(
            "deployment",
            f"the Airflow connection {QBO_CONN_ID} is not usable: {error}",
            f"Correct it ({CONN_ENV} or Admin > Connections in Airflow); see .env.example.",
        )
        return None
    report.good.append(
        f"Airflow connection {QBO_CONN_ID} found (from {source}; QuickBooks {settings.environment.name})"
    )
    return settings
