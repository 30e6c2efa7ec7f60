"""A real backfill: `airflow backfill create` over three daily intervals, run by a live
scheduler (`airflow standalone`), syncs exactly each day's invoices, once."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pendulum
import pytest

from support.scenario import build_au_tenant

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 420  # seconds for the scheduler to run all three backfill runs


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def airflow(env, *args, check=True) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "airflow", *args], env=env, capture_output=True,
                          text=True, check=check, timeout=120)


@pytest.fixture
def scheduler_env(tmp_path, airflow_conns, monkeypatch):
    port = free_port()
    env = dict(os.environ)
    env.update({
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "QBO_SYNC_SCHEDULE": "0 0 * * *",  # daily intervals for this test
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://localhost:{port}/execution/",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__SCHEDULER__MIN_FILE_PROCESS_INTERVAL": "5",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
    })
    env.pop("AIRFLOW__CORE__UNIT_TEST_MODE", None)
    # standalone starts its components as `airflow ...` from the PATH: this venv's; tasks
    # import the project's packages (as `make airflow` and docker-compose set them up).
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "include"), str(ROOT / "plugins")])
    airflow(env, "db", "migrate")
    proc = subprocess.Popen([sys.executable, "-m", "airflow", "standalone"], env=env,
                            stdout=open(tmp_path / "standalone.log", "w"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        yield env, tmp_path / "standalone.log"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def test_backfill_over_three_days_syncs_each_days_invoices_once(db, scheduler_env, qbo_factory,
                                                                airflow_conns):
    env, log = scheduler_env
    build_au_tenant(db, airflow_conns)
    today = pendulum.today("UTC")
    days = [today.subtract(days=n) for n in (4, 3, 2)]
    for invoice_id, day in zip((1, 2, 11), days):
        db.execute("UPDATE billing.invoices SET updated_at = %s WHERE id = %s", (day.add(hours=10), invoice_id))
    db.execute("UPDATE billing.invoices SET updated_at = %s WHERE id NOT IN (1, 2, 11)",
               (today.subtract(days=10),))

    # The DAG processor must have parsed and serialized the DAG before a backfill can be made.
    deadline = time.monotonic() + 180
    while True:
        made = airflow(env, "backfill", "create", "--dag-id", "qbo_sync",
                       "--from-date", days[0].to_date_string(), "--to-date", days[-1].to_date_string(),
                       "--max-active-runs", "1", check=False)
        if made.returncode == 0:
            break
        assert time.monotonic() < deadline, f"no backfill: {made.stdout}{made.stderr}\n{log.read_text()[-3000:]}"
        time.sleep(5)
    airflow(env, "dags", "unpause", "qbo_sync")

    deadline = time.monotonic() + DEADLINE
    while True:
        out = airflow(env, "dags", "list-runs", "qbo_sync", "-o", "json").stdout
        # Airflow may print a warning line before the JSON.
        runs = json.loads(next((l for l in reversed(out.splitlines()) if l.startswith("[")), "[]"))
        backfilled = [r for r in runs if r["run_id"].startswith("backfill__")]
        if len(backfilled) == 3 and all(r["state"] in ("success", "failed") for r in backfilled):
            break
        assert time.monotonic() < deadline, f"runs: {runs}\n{log.read_text()[-3000:]}"
        time.sleep(5)

    synced = {}
    for run in backfilled:
        rows = db.execute("SELECT source_id FROM qbo_sync.sync_log WHERE run_id = %s AND"
                          " entity = 'invoice' AND status = 'synced'", (run["run_id"],)).fetchall()
        synced[pendulum.parse(run["logical_date"]).to_date_string()] = {r[0] for r in rows}
    assert synced == {days[0].to_date_string(): {1}, days[1].to_date_string(): {2},
                      days[2].to_date_string(): {11}}
    with qbo_factory(1) as client:
        assert client.count("select count(*) from Invoice") == 3
        assert client.count("select count(*) from Customer") == 3
