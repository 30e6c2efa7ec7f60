"""Insert test rows: identifiers quoted by psycopg.sql, every value a bind parameter."""

from __future__ import annotations

from typing import Any

from psycopg import sql


def insert(conn, table: str, **values: Any) -> None:
    schema, name = table.split(".")
    statement = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
        sql.Identifier(schema, name),
        sql.SQL(", ").join(sql.Identifier(k) for k in values),
        sql.SQL(", ").join(sql.Placeholder(k) for k in values),
    )
    conn.execute(statement, values)


def truncate_all(conn) -> None:
    """Every billing and qbo_sync table emptied (one database serves a whole test session)."""
    from qbo_sync.db.sqlfiles import load_sql

    conn.execute(load_sql("admin/truncate_all"))
