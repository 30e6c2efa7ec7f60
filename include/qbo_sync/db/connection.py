"""Where the database is and how to connect to it.

``QBO_SYNC_DATABASE_URL`` names a server; without it an embedded PostgreSQL under
``.local/pgdata`` is started on first use and shared by every process.
"""

from __future__ import annotations

import json

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from qbo_sync.db import embedded
from qbo_sync.db.sqlfiles import load_composed, load_sql
from qbo_sync.settings import database_settings


def database_url() -> str:
    """The URL of the project's database, creating it on the embedded server if needed."""
    settings = database_settings()
    if settings.url:
        try:
            ensure_database(settings.url, dbname_of(settings.url))
        except psycopg.Error:
            pass  # no rights to create databases there: connecting will say what is wrong
        return settings.url
    server = embedded.server_url(settings.embedded_dir)
    ensure_database(server, settings.embedded_dbname)
    return with_dbname(server, settings.embedded_dbname)


def connect(url: str | None = None, *, autocommit: bool = False) -> psycopg.Connection:
    return psycopg.connect(url or database_url(), autocommit=autocommit)


def with_dbname(url: str, dbname: str) -> str:
    params = conninfo_to_dict(url)
    params["dbname"] = dbname
    return make_conninfo(**params)


def dbname_of(url: str) -> str:
    return conninfo_to_dict(url).get("dbname") or "postgres"


def ensure_database(server_url: str, dbname: str) -> bool:
    """Create ``dbname`` on the server unless it exists. Returns whether it was created."""
    with psycopg.connect(with_dbname(server_url, "postgres"), autocommit=True) as conn:
        exists = conn.execute(load_sql("admin/database_exists"), {"dbname": dbname}).fetchone()
        if exists:
            return False
        try:
            conn.execute(load_composed("admin/create_database", dbname=dbname))
        except (psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation):
            # Another process won the race; while its CREATE DATABASE is still uncommitted,
            # PostgreSQL reports the clash on pg_database's unique index instead.
            return False
        return True


def drop_database(server_url: str, dbname: str) -> None:
    with psycopg.connect(with_dbname(server_url, "postgres"), autocommit=True) as conn:
        conn.execute(load_composed("admin/drop_database", dbname=dbname))


def airflow_connection_json(url: str) -> str:
    """An ``AIRFLOW_CONN_*`` value (JSON form) for a libpq URL or key=value string."""
    params = conninfo_to_dict(url)
    conn = {
        "conn_type": "postgres",
        "host": params.get("host", "localhost"),
        "port": int(params.get("port", 5432)),
        "login": params.get("user", "postgres"),
        "schema": params.get("dbname", "postgres"),
    }
    if params.get("password"):
        conn["password"] = params["password"]
    return json.dumps(conn)
