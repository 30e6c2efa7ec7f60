"""Database plumbing: where the database is, how to connect, migrations, SQL files."""

from __future__ import annotations

from qbo_sync.db.connection import connect, database_url
from qbo_sync.db.sqlfiles import load_sql

__all__ = ["connect", "database_url", "load_sql"]
