"""The security suite runs the qbo_sync DAG under real Airflow, like tests/dags: the same
two fixtures (a migrated metadata DB; the project database and QuickBooks app as Airflow
connections). ``airflow db migrate`` on an already migrated SQLite file is a no-op."""
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
    from qbo_sync.db.connection import airflow_connection_json

    monkeypatch.setenv("AIRFLOW_CONN_QBO_SYNC_DB", airflow_connection_json(database_url))
    return qbo_app
