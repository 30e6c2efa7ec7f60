"""Connections of our own: token refreshes must commit on their own, whatever the
caller's connection is doing, and rate slots are held by a connection's session."""

from __future__ import annotations

import psycopg
from psycopg.conninfo import make_conninfo


def conninfo_of(db: str | psycopg.Connection) -> str:
    """A conninfo for a URL, or for the database a psycopg connection is connected to."""
    if isinstance(db, str):
        return db
    info = db.info
    password = getattr(info, "password", None)
    return make_conninfo(info.dsn, password=password) if password else info.dsn


def open_connection(conninfo: str, *, autocommit: bool) -> psycopg.Connection:
    return psycopg.connect(conninfo, autocommit=autocommit, application_name="qbo_sync.companies")
