"""System tests: the whole sync under real Airflow, a real database and the emulator.

Airflow's metadata DB and connections as in tests/dags (fixtures are per directory)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.fixture(scope="session")
def airflow_db() -> None:
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], env=dict(os.environ),
                   check=True, capture_output=True)


@pytest.fixture
def airflow_conns(database_url, qbo_app, monkeypatch):
    """The project database as Airflow's qbo_sync_db connection (QuickBooks: qbo_app)."""
    from qbo_sync.db.connection import airflow_connection_json

    monkeypatch.setenv("AIRFLOW_CONN_QBO_SYNC_DB", airflow_connection_json(database_url))
    return qbo_app
