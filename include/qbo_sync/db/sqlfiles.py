"""Every SQL statement lives in ``sql/``; this module finds and caches them."""

from __future__ import annotations

import functools
from pathlib import Path

from psycopg import sql

from qbo_sync.settings import sql_dir


class SqlFileNotFound(FileNotFoundError):
    pass


@functools.cache
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def sql_path(name: str) -> Path:
    path = sql_dir() / f"{name}.sql"
    if not path.is_file():
        raise SqlFileNotFound(
            f"SQL file {path} is missing. Every statement lives under sql/; "
            f"check QBO_SYNC_SQL_DIR ({sql_dir()}) points at the project's sql/ folder."
        )
    return path


@functools.cache
def load_sql(name: str) -> str:
    """The text of ``sql/<name>.sql``; statements use psycopg's ``%(name)s`` parameters.
    Cached per name: the load step asks for the same few statements per record."""
    return _read(sql_path(name))


def load_composed(name: str, **identifiers: str) -> sql.Composed:
    """For the few statements (CREATE DATABASE) where an identifier cannot be a
    bind parameter: ``{name}`` placeholders are filled with safely quoted identifiers."""
    return sql.SQL(load_sql(name)).format(**{k: sql.Identifier(v) for k, v in identifiers.items()})
