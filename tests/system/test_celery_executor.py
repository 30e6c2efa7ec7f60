"""qbo_sync on a live CeleryExecutor cluster (issue 15, item 4).

Airflow 3.3 with CeleryExecutor, for real: Redis as the broker, a PostgreSQL the test starts
for itself (Airflow's metadata, Celery's results and the project database), a scheduler, a
dag-processor, an api-server and two ``airflow celery worker`` processes, all with the Celery
settings docker-compose.yaml uses (config/celery.env). One ``qbo_sync`` run over 8 tenants on
the QuickBooks emulator; while a tenant's sync task (loading) waits for QuickBooks to answer a batch that
QuickBooks has already committed (the answer is lost), the worker running it is SIGKILLed
with everything it started, and then the PostgreSQL is restarted under the running cluster.

What must hold afterwards, whatever shape the DAG has: the run succeeds, QuickBooks (read
over HTTP) holds every record exactly once, and every record the run staged has exactly one
outcome in ``qbo_sync.sync_log``.

Run it alone: ``make test PYTEST_ARGS="tests/system/test_celery_executor.py -s"`` (-s prints
the timeline and figures).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

import pytest
import requests

from support.live import OwnPostgres, Processes, free_port, new_secret, read_env_file, redis_database, wait_until
from support.small_tenant import small_tenant

ROOT = Path(__file__).resolve().parents[2]
TENANTS = range(1, 9)  # 8 tenants, each on its own QuickBooks company
CLIENTS = 4  # per tenant: 4 customers and 4 invoices
VICTIM = 3  # the tenant whose load is running when its worker is killed
RUN_DEADLINE = 540  # seconds for the run to finish after it is triggered (one retry waits ~2 min)
TERMINAL = {"success", "failed"}
SIMPLE_AUTH_MANAGER = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"


class Api:
    """Airflow's REST API on the test's api-server (the simple auth manager, all admins)."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}/api/v2"
        self.session = requests.Session()

    def get(self, path: str, **params):
        try:
            response = self.session.get(self.base + path, params=params, timeout=10)
        except requests.RequestException:
            return None  # not up yet, or restarting its database connections
        return response.json() if response.status_code == 200 else None

    def send(self, method: str, path: str, body: dict) -> dict:
        response = self.session.request(method, self.base + path, json=body, timeout=30)
        assert response.status_code in (200, 201), f"{method} {path}: {response.status_code} {response.text}"
        return response.json()

    def task_instances(self, run_id: str) -> list[dict]:
        got = self.get(f"/dags/qbo_sync/dagRuns/{run_id}/taskInstances", limit=1000)
        return got["task_instances"] if got else []


def quickbooks_rows(emulator, realm: str, entity: str) -> list[dict]:
    """Every ``entity`` of the company, read over HTTP the way any QuickBooks client would."""
    token = emulator.issue_tokens(realm)["access_token"]
    response = requests.get(
        f"{emulator.api_url}/company/{realm}/query",
        timeout=30,
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        params={"query": f"select * from {entity} maxresults 1000", "minorversion": "75"},
    )
    response.raise_for_status()
    return response.json()["QueryResponse"].get(entity, [])


def airflow_env(tmp_path: Path, pg: OwnPostgres, broker: str, api_port: int, project_url: str, emulator) -> dict:
    from cryptography.fernet import Fernet

    from qbo_sync.db.connection import airflow_connection_json

    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update(read_env_file())  # the Celery settings docker-compose.yaml uses
    client_id, client_secret = emulator.app_credentials
    env.update(
        {
            "AIRFLOW_HOME": str(tmp_path / "airflow"),
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
            "AIRFLOW__CORE__AUTH_MANAGER": SIMPLE_AUTH_MANAGER,
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://postgres@127.0.0.1:{pg.port}/airflow",
            # As in docker-compose.yaml: Redis the broker, the metadata database Celery's results.
            "AIRFLOW__CELERY__BROKER_URL": broker,
            "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql://postgres@127.0.0.1:{pg.port}/airflow",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(api_port),
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
            "AIRFLOW__API_AUTH__JWT_SECRET": new_secret(),
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
            "PYTHONPATH": os.pathsep.join([str(ROOT / "include"), str(ROOT / "plugins")]),
            "QBO_SYNC_HOME": str(ROOT),
            "QBO_SYNC_DATABASE_URL": project_url,
            # A schedule whose first interval has not ended: the only run is the one triggered here.
            "QBO_SYNC_SCHEDULE": "0 0 1 1 *",
            # A lost task's retry after 5 s, not the default minute: the recovery is what is
            # tested, not the wait.
            "QBO_SYNC_RETRY_DELAY_SECONDS": "5",
            "GX_ANALYTICS_ENABLED": "False",
            "AIRFLOW_CONN_QBO_SYNC_DB": airflow_connection_json(project_url),
            "AIRFLOW_CONN_QUICKBOOKS_DEFAULT": json.dumps(
                {
                    "conn_type": "quickbooks",
                    "login": client_id,
                    "password": client_secret,
                    "extra": {
                        "environment": "custom",
                        "api_base_url": emulator.base_url,
                        "discovery_url": emulator.sandbox_discovery_url,
                        "requests_per_minute": 100000,
                        "batches_per_minute": 100000,
                        "requests_per_second": 0,
                        "max_concurrent": 10,
                        "max_tries": 4,
                        "read_timeout": 60,
                    },
                }
            ),
        }
    )
    return env


@pytest.mark.timeout(900)
def test_qbo_sync_on_celery_survives_a_killed_worker_and_a_database_restart(tmp_path, qbo_app):
    from qbo_sync.db.connection import connect, ensure_database
    from qbo_sync.db.migrations import migrate
    from qbo_sync.db.sqlfiles import load_sql

    emulator = qbo_app
    began = time.monotonic()
    timeline: list[str] = []

    def mark(what: str) -> None:
        timeline.append(f"{time.monotonic() - began:7.1f}s  {what}")

    with ExitStack() as stack:
        pg = OwnPostgres()
        stack.callback(pg.stop)
        pg.start()
        for name in ("airflow", "qbo_sync"):
            ensure_database(pg.url(), name)
        project_url = pg.url("qbo_sync")
        realms = {}
        with connect(project_url, autocommit=True) as db:
            migrate(db)
            for tenant_id in TENANTS:
                company = small_tenant(
                    db, emulator, tenant_id, {n: f"c{tenant_id}-{n}@example.com" for n in range(1, CLIENTS + 1)}
                )
                realms[tenant_id] = company["realm_id"]
        before = {
            (t, e): {row["Id"] for row in quickbooks_rows(emulator, realm, e)}
            for t, realm in realms.items()
            for e in ("Customer", "Invoice")
        }
        mark(f"PostgreSQL on :{pg.port}, {len(realms)} tenants on their QuickBooks companies")

        broker = stack.enter_context(redis_database())
        api_port = free_port()
        env = airflow_env(tmp_path, pg, broker, api_port, project_url, emulator)
        migrated = subprocess.run(
            [sys.executable, "-m", "airflow", "db", "migrate"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert migrated.returncode == 0, migrated.stdout[-3000:] + migrated.stderr[-3000:]
        mark(f"airflow db migrate; broker {broker}")

        logdir = tmp_path / "logs"
        logdir.mkdir()
        procs = Processes(logdir)
        procs.began = began  # its restarts on the test's clock
        stack.callback(procs.stop_all)
        airflow = [sys.executable, "-m", "airflow"]
        procs.start("api-server", [*airflow, "api-server"], env)
        procs.start("scheduler", [*airflow, "scheduler"], env)
        procs.start("dag-processor", [*airflow, "dag-processor"], env)
        workers = ("worker-1", "worker-2")
        for name in workers:
            procs.start(
                name, [*airflow, "celery", "worker", "--celery-hostname", f"{name}@%h", "--skip-serve-logs"], env
            )
        api = Api(api_port)
        dead = lambda: [n for n, p in procs.procs.items() if p.poll() is not None]  # noqa: E731
        wait_until(
            "the DAG to be parsed and served by the api-server",
            lambda: api.get("/dags/qbo_sync"),
            180,
            every=1,
            detail=lambda: f"exited: {dead()}\n{procs.logs()}",
        )
        mark("api-server serves qbo_sync (parsed by the dag-processor)")

        # The victim's first batch is committed by QuickBooks but its answer lost; the
        # client's replay then hangs: the worker is killed while it waits.
        victim_realm = realms[VICTIM]
        emulator.inject_fault(victim_realm, "commit_then_drop", path_contains="/batch")
        emulator.inject_fault(victim_realm, "timeout", path_contains="/batch", seconds=90)
        run = api.send("POST", "/dags/qbo_sync/dagRuns", {"logical_date": None, "conf": {"full_sync": True}})
        run_id = run["dag_run_id"]
        api.send("PATCH", "/dags/qbo_sync", {"is_paused": False})
        mark(f"triggered {run_id}")

        def hung() -> bool:
            kinds = [e["fault"] for e in emulator.requests_log(victim_realm)]
            return "commit_then_drop" in kinds and "timeout" in kinds

        wait_until(
            "the victim tenant's load to reach QuickBooks",
            hung,
            240,
            every=0.25,
            detail=lambda: f"exited: {dead()}\n{procs.logs()}",
        )
        mark(f"tenant {VICTIM}'s batch committed in QuickBooks, its answer lost; the replay is hanging")

        def victim_task():
            # Up to 32 tenants, each has a `sync` task of its own, mapped in tenant order: the
            # victim's is the one at its place (its label, its name and id, is only rendered
            # once the task ends).
            place = list(TENANTS).index(VICTIM)
            mine = [
                ti
                for ti in api.task_instances(run_id)
                if ti["state"] == "running" and ti["task_id"] == "sync" and ti["map_index"] == place and ti.get("pid")
            ]
            return mine[0] if mine else None

        victim = wait_until(
            f"the running sync task of tenant {VICTIM} (with its pid)",
            victim_task,
            30,
            detail=lambda: json.dumps(api.task_instances(run_id), indent=1)[:4000],
        )
        holder = next((w for w in workers if procs.contains(w, victim["pid"])), None)
        assert holder, f"pid {victim['pid']} of {victim['task_id']} is in neither worker's process tree"
        procs.kill(holder)  # the worker, its pool and the task process: SIGKILL, no goodbye
        killed = (victim["task_id"], victim["map_index"], victim["try_number"])
        mark(
            f"SIGKILLed {holder} (pid {procs.procs[holder].pid}) running {victim['task_id']}"
            f"[{victim['rendered_map_index']}] try {victim['try_number']}, task pid {victim['pid']}"
        )
        emulator.clear_faults(victim_realm)

        with connect(pg.url(), autocommit=True) as admin:
            cut = admin.execute(load_sql("devkit/live/client_connections")).fetchone()[0] - 1
        took = pg.restart()
        mark(f"restarted PostgreSQL in {took:.1f}s, cutting {cut} open connections (Airflow's and the sync's)")

        def finished():
            procs.supervise()
            got = api.get(f"/dags/qbo_sync/dagRuns/{run_id}")
            return got if got and got["state"] in TERMINAL else None

        final = wait_until(
            "the run to finish",
            finished,
            RUN_DEADLINE,
            every=2,
            detail=lambda: (
                f"exited: {dead()}\n"
                + json.dumps(
                    [(t["task_id"], t["map_index"], t["state"], t["try_number"]) for t in api.task_instances(run_id)]
                )
                + "\n"
                + procs.logs()
            ),
        )
        mark(f"run {final['state']}")
        tis = api.task_instances(run_id)
        for when, name, code in procs.restarts:
            mark(f"(at {when:.1f}s {name} had exited with code {code}: started again, as compose would)")

        # --- what QuickBooks holds, read over HTTP ------------------------------------------
        with connect(project_url, autocommit=True) as db:
            records = db.execute(load_sql("devkit/live/run_records"), {"run_id": run_id}).fetchall()
            per_record = db.execute(load_sql("devkit/live/run_outcomes_per_record"), {"run_id": run_id}).fetchall()
            statuses = db.execute(
                "SELECT DISTINCT status FROM qbo_sync.sync_log WHERE run_id = %s", (run_id,)
            ).fetchall()
            named = db.execute(
                "SELECT tenant_id, entity, qbo_id FROM qbo_sync.sync_log WHERE run_id = %s", (run_id,)
            ).fetchall()
        created = {
            (t, e): [row for row in quickbooks_rows(emulator, realm, e) if row["Id"] not in before[(t, e)]]
            for t, realm in realms.items()
            for e in ("Customer", "Invoice")
        }
        mark("read back every company")

    print(
        "\n".join(
            [
                "",
                "CeleryExecutor live run:",
                *timeline,
                f"task instances: {len(tis)}; tries > 1: "
                f"{sorted((t['task_id'], t['map_index'], t['try_number']) for t in tis if t['try_number'] > 1)}",
                f"PostgreSQL restarts: {len(pg.restarts)}; component restarts: "
                f"{[(name, code) for _, name, code in procs.restarts]}",
            ]
        )
    )

    assert final["state"] == "success", [(t["task_id"], t["map_index"], t["state"]) for t in tis]
    # The killed task was tried again (on the surviving worker) and succeeded.
    again = next(t for t in tis if (t["task_id"], t["map_index"]) == killed[:2])
    assert again["state"] == "success" and again["try_number"] > killed[2], again
    assert len(pg.restarts) == 1

    # Every record: exactly one outcome in this run, and it is "synced". Every record staged
    # (still) has one. A retried tenant's track stages afresh, and a customer its first try
    # already synced is not staged again (nothing is left to send for it), so the outcomes,
    # not the staged rows, hold every record of the run.
    assert len(per_record) == len(TENANTS) * CLIENTS * 2, per_record
    assert all(n == 1 for *_, n in per_record), [r for r in per_record if r[3] != 1]
    assert {r[3] for r in records} == {"synced"}, [r for r in records if r[3] != "synced"]
    assert {r[:3] for r in records} <= {r[:3] for r in per_record}
    assert statuses == [("synced",)], statuses

    # Exactly once in QuickBooks: each company got one Customer and one Invoice per record,
    # and they are the ones the sync log names.
    for tenant_id in TENANTS:
        for entity, kind in (("Customer", "customer"), ("Invoice", "invoice")):
            rows = created[(tenant_id, entity)]
            logged = Counter(q for t, e, q in named if t == tenant_id and e == kind)
            assert len(rows) == CLIENTS, f"tenant {tenant_id}: {len(rows)} {entity}s in QuickBooks: {rows}"
            assert Counter(row["Id"] for row in rows) == logged, (tenant_id, entity, rows, logged)
        numbers = Counter(row["DocNumber"] for row in created[(tenant_id, "Invoice")])
        assert numbers == Counter(f"INV-{tenant_id * 100 + n}" for n in range(1, CLIENTS + 1)), numbers
