"""The fleet section of ``make bench``: one hourly ``qbo_sync`` run over N tenants (emulator
companies), run by a real Airflow (LocalExecutor: api-server, scheduler, dag-processor; not
``dags test``) with QuickBooks' limits on in the emulator.

Set-up (timed apart, never part of the run's figures):

1. generate clean billing data for N tenants, and connect each to a new emulator company
   (threads; one HTTP call to create the company, one token and two reads for its facts);
2. hold back each tenant's newest invoices (``new_invoices``) and add one app payment on
   them, then sync everything else in this process (the "previous hours": a first sync of
   the fleet through ``pipeline.sync_shard``);
3. key one QuickBooks payment per tenant into its company (on an invoice synced in 2);
4. a scratch Airflow metadata database on the same server (copied from a template migrated
   once per bench), the three Airflow processes, the DAG parsed.

The measured run: the held-back invoices and payments are dated inside the last complete
hour, ``qbo_sync`` is unpaused, and the scheduler creates that hour's run. Sampled every
half second until the run ends: CPU of every Airflow process and its descendants
(``/proc``; the workers and task processes are the scheduler's), of the emulator and of the
PostgreSQL server apart, and the connections in ``pg_stat_activity`` per database. Then
from the databases: task instances, each tenant's track (state, QuickBooks reads), outcomes;
and from QuickBooks itself (raw HTTP to the emulator): every tenant's invoices exactly once
and its QuickBooks payment imported exactly once.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import requests

from qbo_sync.db.connection import (
    airflow_connection_json,
    connect,
    dbname_of,
    drop_database,
    ensure_database,
    with_dbname,
)
from qbo_sync.db.sqlfiles import load_composed, load_sql
from qbo_sync.settings import project_root

DAG_ID = "qbo_sync"
HOURS_A_MONTH = 24 * 30
PROJECTED_TENANTS = (100, 1_000, 10_000)
SETUP_THREADS = 8
WARM_UP_PROCESSES = 2  # the machine's cores
WARM_UP_RUN = "fleet-warm-up"
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass
class FleetSettings:
    tenants: int
    invoices_per_tenant: int = 8  # generated (history included); the newest become "new"
    new_invoices: int = 3
    parallelism: int = 8  # Airflow [core] parallelism: worker slots of the LocalExecutor
    tracks_per_task: int | None = None  # QBO_SYNC_TRACKS_PER_TASK (None: the product's default)
    max_sync_tasks: int | None = None  # QBO_SYNC_MAX_SYNC_TASKS
    tenants_per_task: int | None = None  # QBO_SYNC_TENANTS_PER_TASK
    minute_seconds: float = 60.0
    run_timeout_s: float = 3600.0
    verify: bool = True

    def product_env(self) -> dict[str, str]:
        out = {}
        for name, value in (
            ("QBO_SYNC_TRACKS_PER_TASK", self.tracks_per_task),
            ("QBO_SYNC_MAX_SYNC_TASKS", self.max_sync_tasks),
            ("QBO_SYNC_TENANTS_PER_TASK", self.tenants_per_task),
        ):
            if value:
                out[name] = str(value)
        return out


def limits(minute: float) -> dict[str, Any]:
    """QuickBooks' published per-company limits (on ``minute``)."""
    return {"minute_seconds": minute, "requests_per_minute": 500, "batches_per_minute": 40, "max_concurrent": 10}


def _say(message: str) -> None:
    print(f"[fleet {datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------- set-up
class _Control:
    """The emulator's control API with a session of its own (one per thread)."""

    def __init__(self, base_url: str) -> None:
        from qbo_emulator.testing import _ClientMixin

        self.base_url = base_url
        self._session = requests.Session()
        self._mixin = _ClientMixin

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._mixin, name)
        if isinstance(attr, property):
            return attr.fget(self)
        return attr.__get__(self)

    def close(self) -> None:
        self._session.close()


def provision_fleet(url: str, emu: Any, manifest: Any) -> dict[int, str]:
    """Every tenant connected to a new company, ``SETUP_THREADS`` at a time."""
    from qbo_devkit.provision import provision_tenant

    local = threading.local()
    opened: list[Any] = []
    lock = threading.Lock()

    def one(t: Any) -> tuple[int, str]:
        if not hasattr(local, "conn"):
            local.conn = connect(url, autocommit=True)
            local.emu = _Control(emu.process.base_url)
            with lock:
                opened.append((local.conn, local.emu))
        company = provision_tenant(
            local.conn,
            local.emu,
            t.id,
            region=t.region,
            tax_map=t.tax_code_map,
            connected_at=datetime.fromisoformat(t.connected_at),
            display_name_template=t.display_name_template,
        )
        return t.id, company["realm_id"]

    try:
        with ThreadPoolExecutor(SETUP_THREADS) as pool:
            return dict(pool.map(one, manifest.tenants))
    finally:
        for conn, control in opened:
            conn.close()
            control.close()


def hold_back(conn: psycopg.Connection, before: datetime, per_tenant: int) -> dict[str, Any]:
    """Everything generated dated before ``before``; each tenant's newest invoices (and one
    new app payment on them) dated far ahead until the measured run. Returns their ids."""
    held_at = datetime(2100, 1, 1, tzinfo=UTC)
    for name in ("invoices", "clients", "credit_notes", "payments"):
        conn.execute(load_sql(f"devkit/bench/fleet_clamp_{name}"), {"before": before})
    conn.execute(load_sql("devkit/bench/fleet_unpay"), {"per_tenant": per_tenant})
    rows = conn.execute(
        load_sql("devkit/bench/fleet_hold_back"), {"held_at": held_at, "per_tenant": per_tenant}
    ).fetchall()
    invoices = defaultdict(list)
    for tenant_id, invoice_id in rows:
        invoices[int(tenant_id)].append(int(invoice_id))
    all_ids = [i for ids in invoices.values() for i in ids]
    payments = conn.execute(
        load_sql("devkit/bench/fleet_app_payment"), {"held_at": held_at, "invoice_ids": all_ids}
    ).fetchall()
    conn.commit()
    return {
        "invoices": {t: sorted(ids) for t, ids in invoices.items()},
        "payments": {int(t): int(p) for t, p in payments},
    }


def warm_up(url: str, before: datetime, threads: int, processes: int = WARM_UP_PROCESSES) -> dict[str, Any]:
    """The fleet's earlier hours: every tenant's first sync of what it has up to ``before``,
    tracks side by side on threads as one task runs them, in ``processes`` processes (one
    process is bound by its interpreter lock to one core)."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from qbo_sync import pipeline

    with connect(url) as conn:
        ids = [t.tenant_id for t in pipeline.list_tenants(conn)]
    parts = [ids[i::processes] for i in range(processes) if ids[i::processes]]
    if len(parts) <= 1:
        results = [_warm_up_part(url, before, threads, ids)]
    else:
        with ProcessPoolExecutor(len(parts), mp_context=get_context("spawn")) as pool:
            n = len(parts)
            results = list(pool.map(_warm_up_part, [url] * n, [before] * n, [threads] * n, parts))
    return {
        "run_id": WARM_UP_RUN,
        "tenants": sum(r["tenants"] for r in results),
        "processes": len(parts),
        "tracks_not_done": sorted(t for r in results for t in r["tracks_not_done"]),
    }


def _warm_up_part(url: str, before: datetime, threads: int, tenant_ids: list[int]) -> dict[str, Any]:
    from qbo_sync import pipeline
    from qbo_sync.companies import client_for_tenant
    from qbo_sync.companies.budget import shared_budget
    from qbo_sync.companies.settings import AppSettings
    from qbo_sync.extract.records import RunWindow
    from qbo_sync.outcomes import RunContext

    with connect(url) as conn:
        tenants = pipeline.list_tenants(conn, tenant_ids)
    budget = shared_budget(url, AppSettings.from_env().budget)
    results = pipeline.sync_shard(
        lambda: connect(url, autocommit=True),
        RunContext(DAG_ID, WARM_UP_RUN, "sync", None, 1),
        tenants,
        RunWindow(WARM_UP_RUN, datetime(2000, 1, 1, tzinfo=UTC), before),
        lambda _conn: lambda tenant_id: client_for_tenant(url, tenant_id, budget=budget),
        at_once=threads,
    )
    failed = [r["tenant_id"] for r in results if r.get("systemic") or r.get("error") or r.get("left")]
    return {"tenants": len(results), "tracks_not_done": failed}


def payments_in_quickbooks(url: str, tenant_ids: list[int]) -> dict[int, str]:
    """One payment per tenant keyed into QuickBooks (in full, on an invoice the warm-up
    synced that has no payment): what the measured run must bring back."""
    from qbo_sync.companies import client_for_tenant

    def one(tenant_id: int) -> tuple[int, str | None]:
        with connect(url) as conn:
            rows = conn.execute(load_sql("devkit/local/synced_invoices"), {"tenant_id": tenant_id}).fetchall()
        choice = next((r for r in rows if r[4] > Decimal("0") and not r[5]), None) or next(
            (r for r in rows if r[4] > Decimal("0")), None
        )
        if choice is None:
            return tenant_id, None
        with client_for_tenant(url, tenant_id) as client:
            invoice = client.read("Invoice", choice[2])
            amount = Decimal(str(invoice["Balance"]))
            created = client.create(
                "Payment",
                {
                    "CustomerRef": invoice["CustomerRef"],
                    "TotalAmt": amount,
                    "PaymentRefNum": f"QB-FLEET-{choice[0]}",
                    "Line": [{"Amount": amount, "LinkedTxn": [{"TxnId": choice[2], "TxnType": "Invoice"}]}],
                },
            )
        return tenant_id, str(created.entity["Id"])

    with ThreadPoolExecutor(SETUP_THREADS) as pool:
        return {t: p for t, p in pool.map(one, tenant_ids) if p}


# ---------------------------------------------------------------------- Airflow
def _sqlalchemy_url(url: str) -> str:
    from psycopg.conninfo import conninfo_to_dict
    from sqlalchemy.engine import URL

    p = conninfo_to_dict(url)
    return URL.create(
        "postgresql+psycopg2",
        username=p.get("user") or "postgres",
        password=p.get("password"),
        host=p.get("host") or "127.0.0.1",
        port=int(p.get("port") or 5432),
        database=p.get("dbname"),
    ).render_as_string(hide_password=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def airflow_base_env(home: Path, metadata_url: str) -> dict[str, str]:
    root = project_root()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__") and k != "AIRFLOW_HOME"}
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": _sqlalchemy_url(metadata_url),
            "AIRFLOW__CORE__DAGS_FOLDER": str(root / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(root / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "PYTHONPATH": os.pathsep.join([str(root / "include"), str(root / "plugins")]),
            "QBO_SYNC_HOME": str(root),
            "GX_ANALYTICS_ENABLED": "False",
        }
    )
    return env


@contextlib.contextmanager
def metadata_template(server: str) -> Iterator[str]:
    """A migrated Airflow metadata database to copy per run (``airflow db migrate`` once)."""
    name = f"qbo_bench_af_tpl_{os.getpid()}_{secrets.token_hex(3)}"
    ensure_database(server, name)
    try:
        with tempfile.TemporaryDirectory(prefix="qbo-fleet-af-") as home:
            env = airflow_base_env(Path(home), with_dbname(server, name))
            t = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "airflow", "db", "migrate"], env=env, capture_output=True, text=True, check=False
            )
            if done.returncode != 0:
                raise RuntimeError(f"airflow db migrate failed: {done.stderr[-2000:]}")
            _say(f"Airflow metadata template migrated in {time.perf_counter() - t:.0f} s")
        yield name
    finally:
        drop_database(server, name)


class Cluster:
    """api-server, scheduler and dag-processor against a fresh metadata database."""

    def __init__(self, server: str, template: str, env: dict[str, str], parallelism: int) -> None:
        self.server = server
        self.dbname = f"qbo_bench_af_{os.getpid()}_{secrets.token_hex(3)}"
        self.metadata_url = with_dbname(server, self.dbname)
        self.home = Path(tempfile.mkdtemp(prefix="qbo-fleet-airflow-"))
        self.port = _free_port()
        self.env = airflow_base_env(self.home, self.metadata_url)
        self.env.update(env)
        self.env.update(
            {
                "AIRFLOW__CORE__PARALLELISM": str(parallelism),
                "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(24),
                "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{self.port}",
                "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{self.port}/execution/",
                "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            }
        )
        self.template = template
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(self) -> None:
        with psycopg.connect(with_dbname(self.server, "postgres"), autocommit=True) as conn:
            conn.execute(
                load_composed("devkit/bench/create_database_from_template", dbname=self.dbname, template=self.template)
            )
        commands = {
            "api-server": ["api-server", "--port", str(self.port), "--host", "127.0.0.1", "--workers", "1"],
            "scheduler": ["scheduler"],
            "dag-processor": ["dag-processor"],
        }
        for name, args in commands.items():
            log = (self.home / f"{name}.log").open("wb")
            self.procs[name] = subprocess.Popen(
                [sys.executable, "-m", "airflow", *args],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            log.close()
        deadline = time.monotonic() + 180
        while True:
            self._check_alive()
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"http://127.0.0.1:{self.port}/api/v2/monitor/health", timeout=2).ok:
                    break
            if time.monotonic() > deadline:
                raise TimeoutError(f"the api-server did not answer in 180 s: {self.log('api-server')}")
            time.sleep(0.5)
        while True:
            self._check_alive()
            with psycopg.connect(self.metadata_url) as conn:
                if conn.execute(load_sql("devkit/bench/fleet_dag_parsed"), {"dag_id": DAG_ID}).fetchone()[0]:
                    return
            if time.monotonic() > deadline:
                raise TimeoutError(f"the dag-processor did not store {DAG_ID} in time: {self.log('dag-processor')}")
            time.sleep(1)

    def log(self, name: str) -> str:
        try:
            return (self.home / f"{name}.log").read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def _check_alive(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                raise RuntimeError(f"airflow {name} exited ({proc.returncode}): {self.log(name)}")

    def cli(self, *args: str) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "airflow", *args], env=self.env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"airflow {' '.join(args)} failed: {done.stderr[-2000:]}")

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        drop_database(self.server, self.dbname)
        with contextlib.suppress(OSError):
            import shutil

            shutil.rmtree(self.home)


# ---------------------------------------------------------------------- sampling
def _proc_table() -> dict[int, tuple[int, str, int, int]]:
    """pid -> (ppid, comm, own CPU ticks, reaped children's CPU ticks)."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            text = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        close = text.rindex(")")
        rest = text[close + 2 :].split()
        out[int(entry)] = (
            int(rest[1]),
            text[text.index("(") + 1 : close],
            int(rest[11]) + int(rest[12]),
            int(rest[13]) + int(rest[14]),
        )
    return out


def tree_cpu_seconds(roots: list[int], table: dict[int, tuple[int, str, int, int]] | None = None) -> float:
    """CPU of ``roots`` and every descendant, alive or reaped (their parents' cutime)."""
    table = table or _proc_table()
    children = defaultdict(list)
    for pid, (ppid, *_rest) in table.items():
        children[ppid].append(pid)
    total, stack, seen = 0, [r for r in roots if r in table], set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        _ppid, _comm, own, reaped = table[pid]
        total += own + reaped
        stack += children.get(pid, [])
    return total / CLK_TCK


def postgres_cpu_seconds(table: dict[int, tuple[int, str, int, int]]) -> float:
    """The PostgreSQL server's CPU: the postmaster (whose cutime holds ended backends) and
    its live children. Shared with anything else the server does."""

    def is_postgres(pid: int) -> bool:
        return pid in table and table[pid][1] == "postgres"

    roots = [pid for pid, (ppid, *_r) in table.items() if is_postgres(pid) and not is_postgres(ppid)]
    return tree_cpu_seconds(roots, table)


class Sampler(threading.Thread):
    """Every ``interval``: connections per database (pg_stat_activity) and process counts."""

    def __init__(self, server: str, watch: dict[str, str], roots: list[int], interval: float = 0.5) -> None:
        super().__init__(daemon=True, name="fleet-sampler")
        self.server, self.watch, self.roots, self.interval = server, watch, roots, interval
        self.peak: Counter = Counter()
        self.samples = 0
        self.peak_processes = 0
        self._halt = threading.Event()

    def run(self) -> None:
        with psycopg.connect(with_dbname(self.server, "postgres"), autocommit=True) as conn:
            while not self._halt.is_set():
                rows = dict(conn.execute(load_sql("devkit/bench/fleet_activity")).fetchall())
                now = {label: int(rows.get(db, 0)) for label, db in self.watch.items()}
                now["server_total"] = int(sum(rows.values()))
                for key, value in now.items():
                    self.peak[key] = max(self.peak[key], value)
                table = _proc_table()
                self.peak_processes = max(self.peak_processes, _count_tree(self.roots, table))
                self.samples += 1
                self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join(10)


def _count_tree(roots: list[int], table: dict[int, tuple[int, str, int, int]]) -> int:
    children = defaultdict(list)
    for pid, (ppid, *_r) in table.items():
        children[ppid].append(pid)
    count, stack = 0, [r for r in roots if r in table]
    while stack:
        pid = stack.pop()
        count += 1
        stack += children.get(pid, [])
    return count


# ---------------------------------------------------------------------- checks
def verify_in_quickbooks(
    url: str, emu: Any, realms: dict[int, str], held: dict[str, Any], qbo_payments: dict[int, str]
) -> dict[str, Any]:
    """Raw HTTP to the emulator (not our client): each tenant's app invoices in its company
    exactly once by DocNumber, the new app payment there once, and the QuickBooks payment
    imported into the app once."""
    with connect(url) as conn:
        numbers = defaultdict(dict)
        for tenant_id, invoice_id, number in conn.execute(
            load_sql("devkit/bench/fleet_invoice_numbers"),
            {"invoice_ids": [i for ids in held["invoices"].values() for i in ids]},
        ):
            numbers[int(tenant_id)][int(invoice_id)] = number
        imported = Counter()
        for tenant_id, external_id, n in conn.execute(load_sql("devkit/bench/fleet_imported_payments")):
            imported[(int(tenant_id), str(external_id))] += int(n)

    def query(session: requests.Session, realm: str, token: str, text: str) -> list[dict[str, Any]]:
        got = session.get(
            f"{emu.process.base_url}/v3/company/{realm}/query",
            params={"query": text, "minorversion": "75"},
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=60,
        )
        got.raise_for_status()
        body = got.json()["QueryResponse"]
        return next((v for k, v in body.items() if isinstance(v, list)), [])

    def one(tenant_id: int) -> dict[str, int]:
        realm = realms[tenant_id]
        control = _Control(emu.process.base_url)
        try:
            token = control.issue_tokens(realm)["access_token"]
            with requests.Session() as s:
                invoices = Counter(
                    i.get("DocNumber") for i in query(s, realm, token, "select * from Invoice maxresults 1000")
                )
                payments = Counter(
                    p.get("PaymentRefNum") for p in query(s, realm, token, "select * from Payment maxresults 1000")
                )
        finally:
            control.close()
        new = numbers.get(tenant_id, {})
        pay_ref = f"FLEET-{min(new)}" if new else None
        qbo_payment = qbo_payments.get(tenant_id)
        mine = {ext: n for (t, ext), n in imported.items() if t == tenant_id}
        brought_back = sum(n for ext, n in mine.items() if ext.split(":")[0] == qbo_payment)
        return {
            "new_invoices": len(new),
            "new_invoices_once": sum(1 for n in new.values() if invoices[n] == 1),
            "new_invoices_missing": sum(1 for n in new.values() if invoices[n] == 0),
            "invoice_duplicates": sum(c - 1 for c in invoices.values() if c > 1),
            "app_payment_once": int(pay_ref is not None and payments[pay_ref] == 1),
            "app_payment_duplicates": max(0, payments[pay_ref] - 1) if pay_ref else 0,
            "qbo_payment_expected": int(qbo_payment is not None),
            "qbo_payment_imported_once": int(brought_back == 1 and all(n == 1 for n in mine.values())),
        }

    with ThreadPoolExecutor(SETUP_THREADS) as pool:
        rows = list(pool.map(one, sorted(realms)))
    total = Counter()
    for row in rows:
        total.update(row)
    total["tenants_checked"] = len(rows)
    total["tenants_all_once"] = sum(
        1
        for r in rows
        if r["new_invoices_once"] == r["new_invoices"] > 0
        and r["invoice_duplicates"] == 0
        and r["app_payment_once"]
        and r["qbo_payment_imported_once"] == r["qbo_payment_expected"]
    )
    return dict(total)


# ---------------------------------------------------------------------- one size
def measure(url: str, template: str, s: FleetSettings) -> dict[str, Any]:
    from qbo_devkit.bench import env as bench_env
    from qbo_devkit.generator.dataset import generate

    row: dict[str, Any] = {"tenants": s.tenants, "settings": asdict(s), "setup_s": {}}
    setup = row["setup_s"]
    server = bench_env.server_url()
    lim = limits(s.minute_seconds)
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    before = hour - timedelta(hours=2)  # the warm-up covers up to here; the run's hour is later
    with bench_env.emulator(lim) as emu, bench_env.app_connection(emu, bench_env.budget_for(lim)):
        t = time.perf_counter()
        with connect(url) as conn:
            conn.execute(load_sql("admin/truncate_all"))
            conn.commit()
            manifest = generate(
                conn,
                seed=11,
                tenants=s.tenants,
                invoices=s.invoices_per_tenant * s.tenants,
                bad_cases="none",
                replace=True,
            )
            conn.commit()
            held = hold_back(conn, before, s.new_invoices)
            conn.execute(load_sql("devkit/bench/analyze"))
            conn.commit()
        setup["generate"] = round(time.perf_counter() - t, 1)
        row["generated"] = manifest.counts
        t = time.perf_counter()
        realms = provision_fleet(url, emu, manifest)
        setup["provision_companies"] = round(time.perf_counter() - t, 1)
        _say(f"{s.tenants} tenants: data {setup['generate']} s, companies {setup['provision_companies']} s")
        t = time.perf_counter()
        row["warm_up"] = warm_up(url, before, threads=8)
        setup["warm_up_sync"] = round(time.perf_counter() - t, 1)
        t = time.perf_counter()
        qbo_payments = payments_in_quickbooks(url, sorted(realms))
        setup["payments_in_quickbooks"] = round(time.perf_counter() - t, 1)
        _say(f"warm-up sync {setup['warm_up_sync']} s, QuickBooks payments {setup['payments_in_quickbooks']} s")

        t = time.perf_counter()
        cluster = Cluster(
            server,
            template,
            {
                "AIRFLOW_CONN_QBO_SYNC_DB": airflow_connection_json(url),
                "AIRFLOW_CONN_QUICKBOOKS_DEFAULT": os.environ[bench_env.CONN_ENV],
                "QBO_SYNC_FERNET_KEY": os.environ["QBO_SYNC_FERNET_KEY"],
                "QBO_SYNC_DATABASE_URL": url,
                **s.product_env(),
            },
            s.parallelism,
        )
        try:
            cluster.start()
            setup["airflow_start"] = round(time.perf_counter() - t, 1)
            _say(f"Airflow up in {setup['airflow_start']} s")
            row.update(_the_run(url, server, cluster, emu, s, held))
        finally:
            cluster.stop()
        if s.verify:
            t = time.perf_counter()
            row["quickbooks_check"] = verify_in_quickbooks(url, emu, realms, held, qbo_payments)
            setup["verify"] = round(time.perf_counter() - t, 1)
        row["qbo_payments_keyed"] = len(qbo_payments)
    return row


def _the_run(
    url: str, server: str, cluster: Cluster, emu: Any, s: FleetSettings, held: dict[str, Any]
) -> dict[str, Any]:
    from qbo_devkit.bench import env as bench_env

    # The run the scheduler creates on unpausing: the last complete hour (catchup is off).
    now = datetime.now(UTC)
    hour = now.replace(minute=0, second=0, microsecond=0)
    if now - hour > timedelta(minutes=59, seconds=30):  # too close to the next hour: wait for it
        time.sleep(31)
        hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    new_at = hour - timedelta(minutes=30)
    with connect(url) as conn:
        conn.execute(
            load_sql("devkit/bench/fleet_release_invoices"),
            {"new_at": new_at, "invoice_ids": [i for ids in held["invoices"].values() for i in ids]},
        )
        conn.execute(
            load_sql("devkit/bench/fleet_release_payments"),
            {"new_at": new_at, "payment_ids": list(held["payments"].values())},
        )
        conn.commit()
    roots = {name: proc.pid for name, proc in cluster.procs.items()}
    sampler = Sampler(server, {"metadata_db": cluster.dbname, "project_db": dbname_of(url)}, list(roots.values()))
    table = _proc_table()
    cpu0 = {name: tree_cpu_seconds([pid], table) for name, pid in roots.items()}
    emu0 = tree_cpu_seconds([emu.process.process.pid], table)
    pg0 = postgres_cpu_seconds(table)
    load_before = bench_env.load_average()
    sampler.start()
    t0 = time.perf_counter()
    started = datetime.now(UTC)
    cluster.cli("dags", "unpause", DAG_ID)
    run = None
    deadline = time.monotonic() + s.run_timeout_s
    with psycopg.connect(cluster.metadata_url, autocommit=True) as meta:
        while time.monotonic() < deadline:
            runs = meta.execute(load_sql("devkit/bench/fleet_dag_runs"), {"dag_id": DAG_ID}).fetchall()
            if runs:
                run = runs[0]
                if run[1] in ("success", "failed"):
                    break
            cluster._check_alive()
            time.sleep(0.5)
        wall = time.perf_counter() - t0
        sampler.stop()
        table = _proc_table()
        cpu = {name: round(tree_cpu_seconds([pid], table) - cpu0[name], 1) for name, pid in roots.items()}
        emu_cpu = round(tree_cpu_seconds([emu.process.process.pid], table) - emu0, 1)
        pg_cpu = round(postgres_cpu_seconds(table) - pg0, 1)
        load_during = bench_env.load_average()
        if run is None or run[1] not in ("success", "failed"):
            raise TimeoutError(
                f"the {DAG_ID} run did not finish in {s.run_timeout_s:.0f} s: {cluster.log('scheduler')}"
            )
        run_id, state, di_start, di_end, run_start, run_end, queued = run
        tis = meta.execute(
            load_sql("devkit/bench/fleet_task_instances"), {"dag_id": DAG_ID, "run_id": run_id}
        ).fetchall()
    if di_start != hour - timedelta(hours=1):
        raise RuntimeError(
            f"the scheduler's run covers {di_start}..{di_end}, not the hour the new records were dated in "
            f"({hour - timedelta(hours=1)}); an hour boundary passed during set-up: run the benchmark again"
        )
    by_task = Counter()
    states = Counter()
    tries = 0
    for task_id, ti_state, n, *_rest, try_sum in tis:
        by_task[task_id] += int(n)
        states[ti_state or "none"] += int(n)
        tries += int(try_sum or 0)
    with connect(url) as conn:
        tracks = conn.execute(load_sql("devkit/bench/fleet_track_runs"), {"run_id": run_id}).fetchall()
        outcomes = conn.execute(load_sql("devkit/bench/fleet_outcomes"), {"run_id": run_id}).fetchall()
        without = conn.execute(load_sql("devkit/bench/fleet_without_outcome"), {"run_id": run_id}).fetchone()[0]
    reads = [int(r[2]) for r in tracks]
    per_status = Counter()
    per_tenant_synced = Counter()
    for tenant_id, entity, status, n in outcomes:
        per_status[f"{entity} {status}"] += int(n)
        if status == "synced":
            per_tenant_synced[int(tenant_id)] += int(n)
    spans = [(r[4] - r[3]).total_seconds() for r in tracks if r[3] and r[4]]
    last_track = max((r[4] for r in tracks if r[4]), default=None)
    total_cpu = round(sum(cpu.values()), 1)
    mean_reads = statistics.mean(reads) if reads else 0
    return {
        "run_id": run_id,
        "state": state,
        "started_at": started.isoformat(timespec="seconds"),
        "wall_s": round(wall, 1),
        "dag_run_s": round((run_end - run_start).total_seconds(), 1) if run_start and run_end else None,
        "first_to_last_track_s": round((last_track - run_start).total_seconds(), 1)
        if last_track and run_start
        else None,
        "cpu_s": {**cpu, "total_airflow": total_cpu, "emulator": emu_cpu, "postgresql_server": pg_cpu},
        "cpu_s_per_tenant": round(total_cpu / s.tenants, 3),
        "task_instances": sum(by_task.values()),
        "task_instances_by_task": dict(by_task),
        "task_instance_states": dict(states),
        "task_tries": tries,
        "peak_connections": dict(sampler.peak),
        "peak_airflow_processes": sampler.peak_processes,
        "samples": sampler.samples,
        "tracks": {
            "count": len(tracks),
            "states": dict(Counter(r[1] for r in tracks)),
            "span_s_median": round(statistics.median(spans), 2) if spans else None,
            "span_s_max": round(max(spans), 2) if spans else None,
        },
        "reads": {
            "total": sum(reads),
            "per_tenant_mean": round(mean_reads, 2),
            "per_tenant_max": max(reads, default=0),
            "per_tenant_min": min(reads, default=0),
        },
        "monthly_reads_projection": {
            str(n): {"this_run_hourly": round(mean_reads * HOURS_A_MONTH * n), "idle_hourly": HOURS_A_MONTH * n}
            for n in PROJECTED_TENANTS
        },
        "outcomes": dict(per_status),
        "records_without_outcome": int(without),
        "tenants_with_synced_records": len(per_tenant_synced),
        "load_average_before": load_before,
        "load_average_end": load_during,
    }


def linearity(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """CPU and wall time per tenant, largest size over smallest: 1.0 is linear."""
    done = [r for r in rows if r.get("cpu_s_per_tenant")]
    if len(done) < 2:
        return None
    lo, hi = min(done, key=lambda r: r["tenants"]), max(done, key=lambda r: r["tenants"])
    return {
        "from": lo["tenants"],
        "marginal_cpu_s_per_tenant": round(
            (hi["cpu_s"]["total_airflow"] - lo["cpu_s"]["total_airflow"]) / (hi["tenants"] - lo["tenants"]), 3
        ),
        "to": hi["tenants"],
        "cpu_per_tenant_ratio": round(hi["cpu_s_per_tenant"] / lo["cpu_s_per_tenant"], 2),
        "wall_per_tenant_ratio": round((hi["wall_s"] / hi["tenants"]) / (lo["wall_s"] / lo["tenants"]), 2),
        "task_instances_ratio": round(hi["task_instances"] / lo["task_instances"], 2),
    }


def run_sizes(url: str, sizes: list[int], base: FleetSettings, say: Callable[[str], None] = _say) -> dict[str, Any]:
    from qbo_devkit.bench import env as bench_env

    server = bench_env.server_url()
    rows = []
    with metadata_template(server) as template:
        for n in sizes:
            say(f"fleet: {n} tenants")
            rows.append(measure(url, template, FleetSettings(**{**asdict(base), "tenants": n})))
            brief = {k: rows[-1][k] for k in ("state", "wall_s", "cpu_s_per_tenant", "task_instances")}
            say(f"fleet: {n} tenants: {json.dumps(brief)}")
            say(f"fleet row (kept in case a later size is stopped): {json.dumps(rows[-1], default=str)}")
    return {"runs": rows, "linearity": linearity(rows)}
