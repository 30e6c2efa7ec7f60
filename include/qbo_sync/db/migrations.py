"""A small, idempotent migration runner.

Migrations are ``sql/migrations/NNNN_name.sql``, applied in order, each in its own
transaction, and recorded with a checksum in ``qbo_sync.schema_migrations``. A
migration that was edited after it was applied is refused rather than silently
skipped: the database and the repo would disagree about the schema.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg

from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.settings import sql_dir

_FILENAME = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql$")


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    path: Path

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def discover(folder: Path | None = None) -> list[Migration]:
    folder = folder or sql_dir() / "migrations"
    found = []
    for path in sorted(folder.glob("*.sql")):
        match = _FILENAME.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files are named NNNN_lower_snake_name.sql")
        found.append(Migration(match["version"], match["name"], path))
    versions = [m.version for m in found]
    if len(versions) != len(set(versions)):
        raise MigrationError(f"two migrations share a version number in {folder}")
    return found


def migrate(conn: psycopg.Connection, folder: Path | None = None) -> list[str]:
    """Apply pending migrations; returns the versions applied by this call."""
    conn.autocommit = True
    conn.execute(load_sql("admin/bootstrap_migrations"))
    # One migrator at a time: concurrent workers starting up must not race on DDL.
    conn.execute(load_sql("admin/migration_lock"))
    try:
        applied = dict(conn.execute(load_sql("admin/applied_migrations")).fetchall())
        done = []
        for migration in discover(folder):
            if migration.version in applied:
                if applied[migration.version] != migration.checksum:
                    raise MigrationError(
                        f"migration {migration.path.name} was changed after it was applied. "
                        "Never edit an applied migration: revert the edit and add a new "
                        "migration file with the change."
                    )
                continue
            with conn.transaction():
                conn.execute(migration.text)
                conn.execute(
                    load_sql("admin/record_migration"),
                    {"version": migration.version, "name": migration.name, "checksum": migration.checksum},
                )
            done.append(migration.version)
        return done
    finally:
        conn.execute(load_sql("admin/migration_unlock"))
