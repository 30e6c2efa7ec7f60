"""`make test` never writes into the user's Airflow (.local/airflow, which `make airflow` and
`make demo` use): the tests run with a throwaway AIRFLOW_HOME of their own, whatever the
caller exported (the Makefile exports .local/airflow)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_tests_use_their_own_airflow_home():
    home = Path(os.environ["AIRFLOW_HOME"]).resolve()
    assert not home.is_relative_to(ROOT), f"tests would write into the checkout's Airflow: {home}"
    assert home.is_relative_to(Path(tempfile.gettempdir()).resolve())
    assert home.name.startswith("qbo-sync-airflow-")
