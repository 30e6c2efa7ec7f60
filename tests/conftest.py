"""Shared fixtures: a real PostgreSQL database per test session, and Airflow's dev settings.

The database is a fresh, migrated database on the embedded server (or on the server
named by QBO_SYNC_DATABASE_URL), dropped at the end. Airflow is pointed at this
repo's dags/ and a throwaway SQLite metadata DB before anything imports it.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.rows import truncate_all

ROOT = Path(__file__).resolve().parents[1]

# Airflow reads its configuration at import time: set it before any test imports it.
# Always the session's own home, even when the caller exported one (the Makefile exports
# .local/airflow for `make airflow`): test runs never show up in the user's Airflow.
_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="qbo-sync-airflow-"))
os.environ["AIRFLOW_HOME"] = str(_AIRFLOW_HOME)
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(ROOT / "dags"))
os.environ.setdefault("AIRFLOW__CORE__PLUGINS_FOLDER", str(ROOT / "plugins"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "True")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("QBO_SYNC_HOME", str(ROOT))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--runslow", action="store_true", help="also run suites marked slow")


def pytest_configure(config: pytest.Config) -> None:
    # Hypothesis: the same examples on every machine (derandomize, no example database),
    # bounded in `make test`; --runslow searches ten times as long.
    from hypothesis import settings

    settings.register_profile(
        "qbo-ci", derandomize=True, deadline=None, database=None, max_examples=100, print_blob=True
    )
    settings.register_profile("qbo-slow", settings.get_profile("qbo-ci"), max_examples=1000)
    settings.load_profile("qbo-slow" if config.getoption("--runslow") else "qbo-ci")


# The files that take minutes (seconds measured with 4 workers, `--durations`, 2026-12-01): started
# first, so that `make test`'s workers (pytest-xdist, a file per worker at a time) do not end
# waiting for one of them. Collection order is otherwise kept.
LONG_FILES = {
    "tests/dags/test_qbo_sync_dag.py": 418,
    "tests/include/qbo_sync/validate/test_bad_input.py": 236,
    "tests/docs/test_operations_backfill.py": 194,
    "tests/include/qbo_devkit/test_bench_smoke.py": 148,
    "tests/system/test_chaos.py": 132,
    "tests/plugins/qbo_airflow/ui/test_ui_page.py": 110,
    "tests/include/qbo_sync/test_demo_dataset.py": 76,
}


def _long_first(items: list[pytest.Item]) -> None:
    def seconds(item: pytest.Item) -> int:
        return LONG_FILES.get(Path(str(item.path)).relative_to(ROOT).as_posix(), 0)

    items.sort(key=lambda item: -seconds(item))  # stable: each file keeps its tests' order


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _long_first(items)
    if config.getoption("--runslow"):
        return
    # Deselected, not skipped: a slow suite is opt-in, never counted as run.
    keep = [item for item in items if "slow" not in item.keywords]
    dropped = [item for item in items if "slow" in item.keywords]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    """A URL to the ``postgres`` database of the server the tests use."""
    from qbo_sync.db import embedded
    from qbo_sync.db.connection import with_dbname
    from qbo_sync.settings import database_settings

    settings = database_settings()
    if settings.url:
        return with_dbname(settings.url, "postgres")
    return embedded.server_url(settings.embedded_dir)


@pytest.fixture(scope="session")
def database_url(pg_server_url: str) -> Iterator[str]:
    """A fresh database with every migration applied, dropped after the session."""
    from qbo_sync.db.connection import connect, drop_database, ensure_database, with_dbname
    from qbo_sync.db.migrations import migrate

    name = f"qbo_test_{os.getpid()}_{secrets.token_hex(3)}"
    ensure_database(pg_server_url, name)
    url = with_dbname(pg_server_url, name)
    with connect(url) as conn:
        migrate(conn)
    yield url
    drop_database(pg_server_url, name)


@pytest.fixture
def db(database_url: str):
    """A connection to the session database whose tables are emptied first."""
    from qbo_sync.db.connection import connect

    with connect(database_url, autocommit=True) as conn:
        truncate_all(conn)
        yield conn


# --- QuickBooks: the emulator, and the app connection as Airflow would see it -----------


@pytest.fixture(scope="session")
def qbo_emulator():
    from support.emulator import emulator_app

    with emulator_app() as emu:
        yield emu


@pytest.fixture
def qbo_app(qbo_emulator, monkeypatch):
    """The QuickBooks connection (as Airflow would get it) and a token-encryption key."""
    from cryptography.fernet import Fernet

    client_id, client_secret = qbo_emulator.app_credentials
    monkeypatch.setenv(
        "AIRFLOW_CONN_QUICKBOOKS_DEFAULT",
        json.dumps(
            {
                "conn_type": "quickbooks",
                "login": client_id,
                "password": client_secret,
                "extra": {
                    "environment": "custom",
                    "api_base_url": qbo_emulator.base_url,
                    "discovery_url": qbo_emulator.sandbox_discovery_url,
                    # The emulator runs without limits here; the budget need not pace.
                    "requests_per_minute": 100000,
                    "batches_per_minute": 100000,
                    "requests_per_second": 0,
                    "max_concurrent": 10,
                    "max_tries": 4,
                },
            }
        ),
    )
    monkeypatch.setenv("QBO_SYNC_FERNET_KEY", Fernet.generate_key().decode())
    return qbo_emulator


@pytest.fixture
def qbo_factory(qbo_app, database_url):
    from qbo_sync.companies import client_for_tenant

    return lambda tenant_id: client_for_tenant(database_url, tenant_id)


# --- real Airflow (tests/dags, tests/system, tests/security) ---------------------------------


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """Airflow's metadata DB (SQLite in the session's AIRFLOW_HOME), migrated once."""
    import subprocess
    import sys

    subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"], env=dict(os.environ), check=True, capture_output=True
    )


@pytest.fixture
def airflow_conns(database_url, qbo_app, monkeypatch):
    """The project database as Airflow's qbo_sync_db connection (QuickBooks: qbo_app)."""
    from qbo_sync.db.connection import airflow_connection_json

    monkeypatch.setenv("AIRFLOW_CONN_QBO_SYNC_DB", airflow_connection_json(database_url))
    return qbo_app
