"""The chaos run: the demo dataset synced while everything that can go wrong does.

    python -m qbo_devkit.chaos --seed 7 --tenants 4 --invoices 160 [--probability 0.1] [--json out.json]

Several tenants' invoices, customers, payments, credit notes and voids go to the QuickBooks
emulator while (1) every company answers API calls with random faults from a fixed seed
(429s, 5xx, HTML and empty bodies, connection resets, timeouts, commit_then_drop);
(2) one load task runs in a child process that is SIGKILLed with its batch committed in
QuickBooks but its answer lost; (3) steps fail and are retried, and on-call clears and
re-runs random steps and the whole run (same run id); (4) a second run goes through real
Airflow (``airflow dags test``) with random tasks re-run by ``airflow tasks test``.

Then QuickBooks itself is read (raw HTTP to the emulator, not our client or our tables) and
held against the app: every valid record in QuickBooks exactly once with the app's totals,
every invalid one ``failed`` with cause and fix, no staged record without an outcome, and
no payment imported twice into ``billing.payments``. The figures are printed (and JSON).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests

from qbo_sync.db.connection import connect
from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.settings import project_root

KINDS = ("throttle", "server_error", "html", "empty", "reset", "timeout", "commit_then_drop")
MAX_TRIES = 8  # Airflow retries a failed task; past this the run is broken, not unlucky
DAG_ID = "qbo_sync"


@dataclass
class ChaosConfig:
    seed: int = 7
    tenants: int = 4
    invoices: int = 160
    probability: float = 0.1  # of each QuickBooks API call failing
    clear_probability: float = 0.3  # of on-call clearing a step that succeeded
    whole_reruns: int = 1  # the whole first run again, same run id
    kill: bool = True
    airflow: bool = True
    airflow_reruns: int = 2  # random tasks of the Airflow run re-run with `airflow tasks test`
    timeout_seconds: float = 2.0  # how long a "timeout" fault holds a call (client gives up at 1.5)
    voids_per_tenant: int = 2


@dataclass
class Figures:
    seed: int = 0
    tenants: int = 0
    invoices_generated: int = 0
    operations: int = 0  # HTTP requests QuickBooks answered (or dropped), all companies
    faults_injected: dict[str, int] = field(default_factory=dict)
    tasks_failed_and_retried: int = 0
    failure_causes: dict[str, int] = field(default_factory=dict)
    tasks_cleared_and_rerun: int = 0
    whole_runs_rerun: int = 0
    tasks_killed: int = 0
    airflow_tasks_rerun: int = 0
    checked: dict[str, int] = field(default_factory=dict)
    duplicates_found: int = 0
    records_lost: int = 0
    wrong_totals: int = 0
    not_voided: int = 0
    invalid_without_cause_or_fix: int = 0
    records_without_outcome: int = 0
    doubled_imports: int = 0
    left_for_next_run: int = 0  # valid, in QuickBooks, but the last answer was lost: logged as unknown
    reconciled: dict[str, int] = field(default_factory=dict)  # the product's full pass: agree/explained/unexplained
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    def render(self) -> str:
        faults = ", ".join(f"{k} {v}" for k, v in sorted(self.faults_injected.items())) or "none"
        causes = ", ".join(f"{k} {v}" for k, v in sorted(self.failure_causes.items())) or "none"
        checked = ", ".join(f"{k} {v}" for k, v in sorted(self.checked.items()))
        lines = [
            f"chaos run: seed {self.seed}, {self.tenants} tenants, {self.invoices_generated} invoices, "
            f"{self.seconds:.0f} s",
            f"  operations (QuickBooks HTTP requests)  {self.operations}",
            f"  faults injected                        {sum(self.faults_injected.values())}: {faults}",
            f"  tasks failed and retried               {self.tasks_failed_and_retried} ({causes})",
            f"  tasks cleared and re-run               {self.tasks_cleared_and_rerun}"
            f" (+ {self.airflow_tasks_rerun} with `airflow tasks test`)",
            f"  whole runs re-run                      {self.whole_runs_rerun}",
            f"  worker processes killed mid-batch      {self.tasks_killed}",
            f"  checked against QuickBooks             {checked}",
            f"  duplicates found                       {self.duplicates_found}",
            f"  records lost                           {self.records_lost}",
            f"  wrong totals / not voided              {self.wrong_totals} / {self.not_voided}",
            f"  invalid without failed+cause+fix       {self.invalid_without_cause_or_fix}",
            f"  records without an outcome             {self.records_without_outcome}",
            f"  doubled imports in billing.payments    {self.doubled_imports}",
            f"  left as 'outcome unknown' for next run {self.left_for_next_run}",
            "  product reconciliation (full pass)     "
            + (", ".join(f"{k} {v}" for k, v in sorted(self.reconciled.items())) or "not run"),
        ]
        lines += [f"  PROBLEM: {p}" for p in self.problems[:40]]
        lines.append("RESULT: " + ("every guarantee held" if self.ok else f"{len(self.problems)} problem(s)"))
        return "\n".join(lines)


def connection_json(emulator: Any, client_id: str, client_secret: str, **overrides: Any) -> str:
    """The QuickBooks connection for a chaos run: short timeouts and backoffs, so that
    hundreds of faults play out in seconds (the retry rules are QuickBooks' own)."""
    extra = {
        "environment": "custom",
        "api_base_url": emulator.base_url,
        "discovery_url": emulator.sandbox_discovery_url,
        "requests_per_minute": 100000,
        "batches_per_minute": 100000,
        "requests_per_second": 0,
        "max_concurrent": 10,
        "max_tries": 10,
        "max_replays": 3,
        "read_timeout": 1.5,
        "connect_timeout": 2.0,
        "backoff_base": 0.02,
        "backoff_cap": 0.2,
        "throttle_wait_seconds": 0.05,
        **overrides,
    }
    return json.dumps({"conn_type": "quickbooks", "login": client_id, "password": client_secret, "extra": extra})


@contextmanager
def _env(**values: str) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class Chaos:
    """One chaos run against one database and one emulator."""

    def __init__(
        self,
        database_url: str,
        emulator: Any,
        app: tuple[str, str],
        cfg: ChaosConfig,
        airflow_env: dict[str, str] | None = None,
        say: Callable[[str], None] = print,
    ) -> None:
        self.url = database_url
        self.emu = emulator
        self.app = app
        self.cfg = cfg
        self.rng = random.Random(cfg.seed)
        self.figures = Figures(seed=cfg.seed, tenants=cfg.tenants)
        self.airflow_env = airflow_env
        self.say = say
        self.realms: dict[int, str] = {}
        self.live: list[int] = []  # tenants whose connection works
        self.injected: Counter = Counter()
        self.chaos_round = 0
        self.voided_invoices: set[tuple[int, int]] = set()
        self.voided_payments: set[tuple[int, int]] = set()
        self.tries: Counter = Counter()
        self.clears: Counter = Counter()  # clears per run, as Airflow counts them (dag_run.clear_number)
        self.not_entered: set[tuple[int, str]] = set()

    # ------------------------------------------------------------------ chaos on / off
    def chaos_on(self, probability: float | None = None) -> None:
        self.chaos_round += 1
        for tenant_id in self.live:
            self.emu.start_chaos(
                self.realms[tenant_id],
                seed=self.cfg.seed * 1000 + self.chaos_round * 100 + tenant_id,
                probability=self.cfg.probability if probability is None else probability,
                kinds=list(KINDS),
                path_contains="/v3/",
                seconds=self.cfg.timeout_seconds,
            )

    def chaos_off(self) -> None:
        for tenant_id in self.live:
            shown = self.emu.stop_chaos(self.realms[tenant_id])
            self.injected.update(shown.get("injected", {}))

    # ------------------------------------------------------------------ the run
    def run(self) -> Figures:
        from qbo_devkit.demo import payments_in_quickbooks, setup_tenants
        from qbo_devkit.generator.dataset import generate

        started = time.monotonic()
        cfg = self.cfg
        with connect(self.url, autocommit=True) as conn:
            conn.execute(load_sql("devkit/local/reset_sync_state"))
            manifest = generate(conn, seed=cfg.seed, tenants=cfg.tenants, invoices=cfg.invoices, replace=True)
            self.manifest = manifest
            self.figures.invoices_generated = manifest.counts.get("invoices", cfg.invoices)
            with _env(AIRFLOW_CONN_QUICKBOOKS_DEFAULT=connection_json(self.emu, *self.app)):
                setup_tenants(conn, self.emu, manifest, self.app)
                for t in manifest.tenants:
                    self.realms[t.id] = conn.execute(load_sql("load/tenant_realm"), {"tenant_id": t.id}).fetchone()[0]
                self.live = [t.id for t in manifest.tenants if not t.revoked]
                self.say(f"chaos: {json.dumps(manifest.counts)}; faults on {len(self.live)} companies")

                # Run 1, in this process, step by step as the DAG orders them.
                self.chaos_on()
                self.pipeline_run(conn, "chaos-run-1", kill=cfg.kill)
                for _ in range(cfg.whole_reruns):
                    self.figures.whole_runs_rerun += 1
                    self.clears["chaos-run-1"] += 1
                    self.say("chaos: on-call clears the whole run and runs it again")
                    self.pipeline_run(conn, "chaos-run-1", kill=False)
                self.chaos_off()

                # Between runs: people void in the app and key payments into QuickBooks.
                keep = sorted(
                    {
                        p["invoice_source_id"]
                        for t in manifest.tenants
                        for p in t.quickbooks_setup.payments
                        if p.get("invoice_source_id")
                    }
                )
                self.voided_invoices = {
                    tuple(r)
                    for r in conn.execute(
                        load_sql("devkit/chaos/void_invoices"), {"per_tenant": cfg.voids_per_tenant, "keep": keep}
                    )
                }
                self.voided_payments = {
                    tuple(r)
                    for r in conn.execute(load_sql("devkit/chaos/void_payments"), {"per_tenant": cfg.voids_per_tenant})
                }
                notes = payments_in_quickbooks(conn, manifest)
                # A hand-keyed payment QuickBooks refused never reaches the import step.
                self.not_entered = {
                    (t, note.split()[1])
                    for t, done in notes.items()
                    for note in done
                    if note.startswith("payment ") and "not entered" in note
                }

                # Run 2: real Airflow, or in this process when asked not to.
                self.chaos_on()
                if cfg.airflow and self.airflow_env is not None:
                    self.airflow_run(conn)
                else:
                    self.pipeline_run(conn, "chaos-run-2", kill=False)
                self.chaos_off()
            self.figures.faults_injected = dict(self.injected)
            self.figures.operations = sum(self.emu.stats(self.realms[t])["requests"] for t in self.realms)
            self.check(conn)
            self.reconcile(conn)
        self.figures.seconds = time.monotonic() - started
        return self.figures

    # ------------------------------------------------------------------ steps, retries, clears
    def step(
        self,
        conn: Any,
        run_id: str,
        task_id: str,
        map_index: int | None,
        fn: Callable[[Any], Any],
        may_clear: bool = True,
    ) -> Any:
        from qbo_sync.outcomes import RunContext

        key = (run_id, task_id, map_index)
        for attempt in range(1, MAX_TRIES + 1):
            self.tries[key] += 1
            ctx = RunContext(DAG_ID, run_id, task_id, map_index, self.tries[key])
            try:
                result = fn(ctx)
                break
            except Exception as exc:
                if getattr(conn, "info", None) is not None and conn.info.transaction_status:
                    conn.rollback()
                self.figures.tasks_failed_and_retried += 1
                name = type(exc).__name__
                self.figures.failure_causes[name] = self.figures.failure_causes.get(name, 0) + 1
                if attempt == MAX_TRIES:
                    raise RuntimeError(f"{task_id}[{map_index}] failed {MAX_TRIES} times: {exc}") from exc
        if may_clear and self.rng.random() < self.cfg.clear_probability:
            self.figures.tasks_cleared_and_rerun += 1
            self.clears[run_id] += 1
            return self.step(conn, run_id, task_id, map_index, fn, may_clear=False)
        return result

    def pipeline_run(self, conn: Any, run_id: str, kill: bool) -> None:
        """One run as the DAG does it (tenants -> groups -> a sync task per group -> report),
        each task retried and randomly cleared as on-call would; with ``kill``, the task holding
        the tenant with most invoices is SIGKILLed twice: once mid-invoice-batch, once while
        it posts a credit note."""
        from qbo_sync import pipeline
        from qbo_sync.companies import client_for_tenant
        from qbo_sync.extract.records import RunWindow
        from qbo_sync.tracks import shards

        def connect_db() -> Any:
            return connect(self.url, autocommit=True)

        def qbo_for(_conn: Any) -> Callable[[int], Any]:
            return lambda tenant_id: client_for_tenant(self.url, tenant_id)

        now = datetime.now(UTC)
        window = RunWindow(run_id, now - timedelta(hours=1), now, full_sync=True)
        tenants = self.step(conn, run_id, "tenants", None, lambda ctx: pipeline.list_tenants(conn))
        groups = self.step(conn, run_id, "tenant_groups", None, lambda ctx: shards.shard(tenants))
        victim = None
        if kill:
            sizes = {
                tid: (notes > 0, n)
                for tid, n, notes in conn.execute(load_sql("devkit/chaos/invoices_per_tenant")).fetchall()
            }
            staged = {tid: n for tid, (_, n) in sizes.items()}
            victim = max(tenants, key=lambda t: sizes.get(t.tenant_id, (False, 0))).tenant_id if tenants else None
        for i, group in enumerate(groups):
            if victim is not None and any(t.tenant_id == victim for t in group):
                # The k-th request of a split batch is named "<requestid>-k": kill on the second.
                self.kill_mid_step(
                    run_id,
                    "sync",
                    i,
                    victim,
                    group,
                    "-1" if staged[victim] > 30 else "/batch",
                    f"tenant {victim} - invoices",
                )
                self.kill_mid_step(run_id, "sync", i, victim, group, "/creditmemo", f"tenant {victim} - credit notes")
            # A clear (of this task, or of the whole run) makes Airflow count the run's clears: the
            # cleared task syncs its tenants afresh; a retry resumes only unfinished ones.
            self.step(
                conn,
                run_id,
                "sync",
                i,
                lambda ctx, g=group: pipeline.sync_shard(
                    connect_db, ctx, g, replace(window, run_clear=self.clears[run_id]), qbo_for
                ),
            )
        self.step(conn, run_id, "report", None, lambda ctx: pipeline.report_run(conn, run_id))

    # ------------------------------------------------------------------ the worker kill
    def kill_mid_step(
        self, run_id: str, task_id: str, map_index: int, tenant_id: int, arg: Any, target: str, label: str
    ) -> None:
        """Run the task in a child process; SIGKILL it once QuickBooks has committed one of its
        writes (path containing ``target``) whose answer was lost, while it waits for the re-sent one."""
        realm = self.realms[tenant_id]
        before = len(self.emu.requests_log(realm))
        shown = self.emu.stop_chaos(realm)  # this company's faults are the scripted ones for now
        self.injected.update(shown.get("injected", {}))
        self.emu.inject_fault(realm, "commit_then_drop", path_contains=target)
        self.emu.inject_fault(realm, "timeout", path_contains=target, seconds=120)
        self.tries[(run_id, task_id, map_index)] += 1
        env = dict(
            os.environ,
            QBO_SYNC_DATABASE_URL=self.url,
            AIRFLOW_CONN_QUICKBOOKS_DEFAULT=connection_json(self.emu, *self.app, read_timeout=120),
            PYTHONPATH=os.pathsep.join([str(project_root() / "include"), str(project_root() / "plugins")]),
        )
        child = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "qbo_devkit.chaos",
                "worker",
                "--run-id",
                run_id,
                "--task-id",
                task_id,
                "--map-index",
                str(map_index),
                "--try-number",
                str(self.tries[(run_id, task_id, map_index)]),
                "--arg",
                json.dumps(serialize(arg)),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        try:
            while True:
                log = self.emu.requests_log(realm)[before:]
                kinds = [e["fault"] for e in log if e["fault"]]
                if "commit_then_drop" in kinds and "timeout" in kinds:
                    break
                if child.poll() is not None:
                    if child.returncode:
                        raise RuntimeError(f"the {task_id} worker failed (exit {child.returncode})")
                    self.say(f"chaos: {task_id}[{map_index}] finished before its kill point (no {target})")
                    return
                if time.monotonic() > deadline:
                    raise RuntimeError("the worker never reached the kill point")
                time.sleep(0.05)
            os.killpg(child.pid, signal.SIGKILL)  # its own session: nothing else is hit
            child.wait(timeout=30)
            self.figures.tasks_killed += 1
            self.say(f"chaos: killed the worker of {task_id}[{map_index}] ({label}) mid-batch")
        finally:
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait(timeout=30)
            self.emu.clear_faults(realm)
            self.chaos_round += 1
            self.emu.start_chaos(
                realm,
                seed=self.cfg.seed * 1000 + self.chaos_round * 100 + tenant_id,
                probability=self.cfg.probability,
                kinds=list(KINDS),
                path_contains="/v3/",
                seconds=self.cfg.timeout_seconds,
            )

    # ------------------------------------------------------------------ the Airflow run
    def _airflow(self, *args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        env = dict(self.airflow_env or {})
        env["AIRFLOW_CONN_QUICKBOOKS_DEFAULT"] = os.environ["AIRFLOW_CONN_QUICKBOOKS_DEFAULT"]
        return subprocess.run(
            [sys.executable, "-m", "airflow", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def airflow_run(self, conn: Any) -> None:
        done = self._airflow("dags", "test", DAG_ID, "--conf", json.dumps({"full_sync": True}))
        run = conn.execute(load_sql("devkit/local/latest_run"), {"dag_id": DAG_ID}).fetchone()
        if not run or run[0].startswith("chaos-run-"):
            raise RuntimeError(f"`airflow dags test` recorded no run: {done.stdout[-3000:]}{done.stderr[-3000:]}")
        run_id = run[0]
        self.say(f"chaos: `airflow dags test` run {run_id} exit {done.returncode}")
        states = self._task_states(run_id)
        failed = [
            (t, m)
            for (t, m), s in states.items()
            if s in ("failed", "upstream_failed") and t != "records_need_attention"
        ]
        tenant_tasks = [(t, m) for (t, m) in states if t == "sync"]
        picks = self.rng.sample(sorted(tenant_tasks), min(self.cfg.airflow_reruns, len(tenant_tasks)))
        for task_id, map_index in sorted(set(failed)) + picks:
            result = self._airflow("tasks", "test", DAG_ID, task_id, run_id, "--map-index", str(map_index))
            self.figures.airflow_tasks_rerun += 1
            if (task_id, map_index) in failed:  # e.g. the revoked tenant's tasks fail by design
                self.figures.tasks_failed_and_retried += 1
                causes = self.figures.failure_causes
                causes["failed in airflow dags test"] = causes.get("failed in airflow dags test", 0) + 1
            self.say(f"chaos: `airflow tasks test {task_id} --map-index {map_index}` exit {result.returncode}")
            if result.returncode != 0 and not self._reconnect(result):
                self.figures.problems.append(
                    f"airflow tasks test {task_id}[{map_index}] failed: {(result.stdout + result.stderr)[-500:]}"
                )

    @staticmethod
    def _reconnect(result: subprocess.CompletedProcess[str]) -> bool:
        return "must be reconnected to QuickBooks" in result.stdout + result.stderr

    def _task_states(self, run_id: str) -> dict[tuple[str, int], str]:
        done = self._airflow("tasks", "states-for-dag-run", DAG_ID, run_id, "-o", "json")
        rows = []
        for line in done.stdout.splitlines():  # log lines may come before the JSON
            if line.startswith("[{"):
                rows = json.loads(line)
                break
        if not rows:
            raise RuntimeError(f"no task states for {run_id}: {done.stdout[-2000:]}{done.stderr[-2000:]}")
        return {
            (r["task_id"], int(r.get("map_index", -1) if r.get("map_index") not in (None, "") else -1)): str(
                r.get("state")
            )
            for r in rows
        }

    # ------------------------------------------------------------------ the checks
    def _books(self, realm: str) -> dict[str, list[dict[str, Any]]]:
        """Every Invoice, Customer, Payment and CreditMemo of a company, read over raw HTTP."""
        token = self.emu.issue_tokens(realm)["access_token"]
        session = requests.Session()
        session.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/json"})
        books = {}
        for entity in ("Invoice", "Customer", "Payment", "CreditMemo"):
            rows, start = [], 1
            while True:
                response = session.get(
                    f"{self.emu.api_url}/company/{realm}/query",
                    params={
                        "query": f"select * from {entity} startposition {start} maxresults 1000",
                        "minorversion": "75",
                    },
                    timeout=60,
                )
                response.raise_for_status()
                page = response.json()["QueryResponse"].get(entity, [])
                rows += page
                if len(page) < 1000:
                    break
                start += 1000
            books[entity] = rows
        session.close()
        return books

    def check(self, conn: Any) -> None:
        f = self.figures
        problem = f.problems.append
        bad = {(r.tenant_id, r.entity, r.source_id): r for r in self.manifest.bad_records}
        live = set(self.live)
        status = {(r[0], r[1], r[2]): r[3:] for r in conn.execute(load_sql("devkit/chaos/record_status"))}
        mapped = {(r[0], r[1], r[2]): r[3] for r in conn.execute(load_sql("devkit/chaos/entity_map"))}
        currency_customers = [(r[0], str(r[1])) for r in conn.execute(load_sql("devkit/chaos/currency_customers"))]

        # Valid records: not planted as bad, of a connected tenant, and (payments, credit
        # notes) on a valid invoice; clients: those valid invoices' clients and their parents.
        invoices = {(r[0], r[1]): r for r in conn.execute(load_sql("devkit/chaos/invoices"))}
        # (An invoice the app voided before any sync is never sent: not valid, not invalid.)
        valid_inv = {
            k: r
            for k, r in invoices.items()
            if k[0] in live and (k[0], "invoice", k[1]) not in bad and (r[5] != "voided" or k in self.voided_invoices)
        }
        parents = {(r[0], r[1]): r[2] for r in conn.execute(load_sql("devkit/chaos/clients"))}
        valid_cli: set[tuple[int, int]] = set()
        for (tenant_id, _), r in valid_inv.items():
            client = r[3]
            while client is not None and (tenant_id, client) not in valid_cli:
                valid_cli.add((tenant_id, client))
                client = parents.get((tenant_id, client))
        payments = conn.execute(load_sql("devkit/chaos/payments")).fetchall()
        valid_pay = {
            (r[0], r[1]): r
            for r in payments
            if r[5] == "app"
            and (r[0], r[2]) in valid_inv
            and (r[0], "payment", r[1]) not in bad
            and r[3] is not None
            and r[3] > 0
            and (not r[7] or (r[0], r[1]) in self.voided_payments)
        }
        notes = {(r[0], r[1]): r for r in conn.execute(load_sql("devkit/chaos/credit_notes"))}
        valid_notes = {
            k: r for k, r in notes.items() if (k[0], r[2]) in valid_inv and (k[0], "credit_memo", k[1]) not in bad
        }

        counts = Counter()
        for tenant_id in sorted(live):
            books = self._books(self.realms[tenant_id])
            tagged: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
            for entity in ("Invoice", "Payment", "CreditMemo"):
                for row in books[entity]:
                    note = row.get("PrivateNote") or ""
                    if "[qbo-sync " in note:
                        kind, _, sid = note.split("[qbo-sync ", 1)[1].split("]", 1)[0].partition(" ")
                        tagged[(kind, int(sid))].append(row)
            for (kind, sid), rows in tagged.items():
                if len(rows) > 1:
                    f.duplicates_found += len(rows) - 1
                    problem(
                        f"tenant {tenant_id}: {kind} {sid} is in QuickBooks {len(rows)} times "
                        f"(Ids {', '.join(str(r['Id']) for r in rows)})"
                    )

            def one(kind: str, sid: int, what: str, tagged=tagged, tenant_id=tenant_id) -> dict[str, Any] | None:
                rows = tagged.get((kind, sid))
                if not rows:
                    f.records_lost += 1
                    problem(
                        f"tenant {tenant_id}: valid {what} is not in QuickBooks "
                        f"(our log: {status.get((tenant_id, kind, sid))})"
                    )
                    return None
                return rows[0]

            for (t, iid), r in valid_inv.items():
                if t != tenant_id:
                    continue
                counts["invoices"] += 1
                row = one("invoice", iid, f"invoice {r[2]}")
                if row is None:
                    continue
                if (t, iid) in self.voided_invoices:
                    if "Voided" not in (row.get("PrivateNote") or "") or Decimal(str(row.get("TotalAmt"))) != 0:
                        f.not_voided += 1
                        problem(f"tenant {t}: invoice {r[2]} was voided in the app, not in QuickBooks")
                elif Decimal(str(row.get("TotalAmt"))) != r[4] or row.get("DocNumber") != r[2]:
                    f.wrong_totals += 1
                    problem(
                        f"tenant {t}: invoice {r[2]} is {row.get('DocNumber')} {row.get('TotalAmt')} "
                        f"in QuickBooks, {r[4]} in the app"
                    )
            for (t, pid), r in valid_pay.items():
                if t != tenant_id:
                    continue
                counts["payments"] += 1
                row = one("payment", pid, f"payment {pid}")
                if row is None and (t, "payment", pid) in status and status[(t, "payment", pid)][0] == "synced":
                    # linked to a payment someone keyed into QuickBooks (no tag of ours)
                    f.records_lost -= 1
                    f.problems.pop()
                    continue
                if row is None:
                    continue
                voided = "Voided" in (row.get("PrivateNote") or "")
                if (t, pid) in self.voided_payments and not voided:
                    f.not_voided += 1
                    problem(f"tenant {t}: payment {pid} was voided in the app, not in QuickBooks")
                elif (t, pid) not in self.voided_payments and Decimal(str(row.get("TotalAmt"))) != r[3]:
                    f.wrong_totals += 1
                    problem(f"tenant {t}: payment {pid} is {row.get('TotalAmt')} in QuickBooks, {r[3]} in the app")
            for (t, nid), r in valid_notes.items():
                if t != tenant_id:
                    continue
                counts["credit_memos"] += 1
                row = one("credit_memo", nid, f"credit note {nid}")
                if row is not None and Decimal(str(row.get("TotalAmt"))) != r[3]:
                    f.wrong_totals += 1
                    problem(f"tenant {t}: credit note {nid} is {row.get('TotalAmt')} in QuickBooks, {r[3]} in the app")
            # Customers: each valid client's mapped customer exists; no customer of ours unmapped.
            customers = {str(c["Id"]): c for c in books["Customer"]}
            ours = {v for (t, e, _), v in mapped.items() if t == tenant_id and e == "customer"}
            ours |= {q for t, q in currency_customers if t == tenant_id}
            for t, cid in valid_cli:
                if t != tenant_id:
                    continue
                counts["customers"] += 1
                if mapped.get((t, "customer", cid)) not in customers:
                    f.records_lost += 1
                    problem(f"tenant {t}: valid client {cid} has no customer in QuickBooks")
            setup = {c["DisplayName"] for c in self.manifest.tenant(tenant_id).quickbooks_setup.customers}
            for qid, c in customers.items():
                if qid not in ours and c.get("DisplayName") not in setup:
                    f.duplicates_found += 1
                    problem(
                        f"tenant {tenant_id}: customer {c.get('DisplayName')!r} (Id {qid}) is in "
                        "QuickBooks but in no record of ours (a lost or doubled create)"
                    )
            # Imports: never one of our own payments; never the same QuickBooks line twice.
            tagged_ids = {str(r["Id"]) for rows in tagged.values() for r in rows}
            seen: Counter = Counter()
            for r in payments:
                if r[0] != tenant_id or r[5] != "quickbooks":
                    continue
                counts["imports"] += 1
                qbo_payment = str(r[6]).split(":", 1)[0]
                seen[r[6]] += 1
                if qbo_payment in tagged_ids:
                    f.doubled_imports += 1
                    problem(
                        f"tenant {tenant_id}: billing.payments {r[1]} imports our own QuickBooks payment {qbo_payment}"
                    )
                app_twin = [
                    p
                    for p in payments
                    if p[0] == tenant_id and p[5] == "app" and p[2] == r[2] and r[4] and p[4] == r[4]
                ]
                if app_twin:
                    f.doubled_imports += 1
                    problem(f"tenant {tenant_id}: billing.payments {r[1]} doubles app payment {app_twin[0][1]}")
            f.doubled_imports += sum(n - 1 for n in seen.values() if n > 1)

        # Every valid record's latest outcome is 'synced'; every planted bad one has its
        # expected outcome, and a failure says cause and fix.
        for key, r in bad.items():
            if r.expected == "never_sent" or r.tenant_id not in self.realms or r.entity == "tenant":
                continue
            if r.entity == "payment_import" and any(
                (r.tenant_id, p["PaymentRefNum"]) in self.not_entered
                for p in self.manifest.tenant(r.tenant_id).quickbooks_setup.payments
                if p.get("invoice_source_id") == r.source_id
            ):
                continue  # its payment was never keyed into QuickBooks: nothing to import
            counts["invalid"] += 1
            got = status.get(key)
            if got is None:
                f.records_without_outcome += 1
                problem(f"bad {r.entity} {r.source_ref or r.source_id} ({r.case}) has no outcome")
            elif r.expected == "synced" and got[0] == "skipped" and got[1] is None:
                pass  # synced by an earlier run, left unchanged by the last one (as a valid record)
            elif got[0] != r.expected or (got[0] == "failed" and not (got[2] and got[3])):
                f.invalid_without_cause_or_fix += 1
                problem(
                    f"bad {r.entity} {r.source_ref or r.source_id} ({r.case}): expected {r.expected}, "
                    f"got {got[0]} {got[1]} cause={bool(got[2])} fix={bool(got[3])}"
                )
        for entity, keys in (
            ("invoice", valid_inv),
            ("payment", valid_pay),
            ("credit_memo", valid_notes),
            ("customer", valid_cli),
        ):
            for t, sid in keys:
                got = status.get((t, entity, sid))
                if got is None:
                    f.records_without_outcome += 1
                    problem(f"valid {entity} {sid} of tenant {t} has no outcome")
                elif got[0] == "failed" and got[1] == "outcome_unknown" and got[2] and got[3]:
                    f.left_for_next_run += 1  # in QuickBooks (checked above); the next run looks it up
                elif got[0] not in ("synced", "skipped"):
                    problem(f"valid {entity} {sid} of tenant {t} ended {got[0]} ({got[1]})")
        for t, iid in self.voided_invoices:
            got = status.get((t, "invoice_void", iid))
            if got is not None and got[0] == "failed" and got[1] == "outcome_unknown":
                f.left_for_next_run += 1
            elif got is None or got[0] != "synced":
                problem(f"void of invoice {iid} (tenant {t}): outcome {got}")
        runs = [r[0] for r in conn.execute(load_sql("devkit/chaos/run_ids"))]
        for run_id, t, entity, sid in conn.execute(load_sql("devkit/chaos/missing_outcomes"), {"run_ids": runs}):
            f.records_without_outcome += 1
            problem(f"run {run_id}: staged {entity} {sid} of tenant {t} has no outcome")
        f.checked = dict(counts)

    def reconcile(self, conn: Any) -> None:
        """The product's own full pass (qbo_sync.reconcile, as the qbo_reconcile DAG runs it),
        faults off: after every guarantee held, no difference may be left that nothing explains."""
        from qbo_sync.companies import client_for_tenant
        from qbo_sync.reconcile import run as reconciliation

        run_id = "chaos-reconcile"
        with _env(AIRFLOW_CONN_QUICKBOOKS_DEFAULT=connection_json(self.emu, *self.app)):
            for tenant_id in sorted(self.live):
                with client_for_tenant(self.url, tenant_id) as client:
                    reconciliation.reconcile_tenant(conn, run_id, "chaos", tenant_id, client, reconciliation.FULL)
        rows = conn.execute(load_sql("devkit/chaos/reconciled"), {"run_id": run_id}).fetchall()
        self.figures.reconciled = dict(Counter(r[0] for r in rows))
        for _verdict, tenant_id, entity, ref, app, qbo in (r for r in rows if r[0] == "unexplained"):
            self.figures.problems.append(
                f"tenant {tenant_id}: {entity} {ref} differs from QuickBooks and nothing explains it "
                f"(QuickBooks {qbo}, app {app})"
            )


# ---------------------------------------------------------------------- the killed worker
def serialize(arg: Any) -> Any:
    """A task's argument as Airflow puts it into XCom."""
    from airflow.sdk.serde import serialize as xcom_serialize

    return xcom_serialize(arg)


def deserialize(data: Any) -> Any:
    """A task's argument as an Airflow worker gets it back from XCom (the DAG file allows
    these classes when it is parsed; this worker runs no DAG file, so it allows them here)."""
    from airflow.sdk.serde import allow_class
    from airflow.sdk.serde import deserialize as xcom_deserialize

    from qbo_sync.extract.records import Tenant

    allow_class(Tenant)
    return xcom_deserialize(data)


def worker(argv: list[str]) -> int:
    """One sync task (its tenants' tracks), as an Airflow worker runs it (the process the chaos run kills)."""
    from qbo_sync import pipeline
    from qbo_sync.companies import client_for_tenant
    from qbo_sync.extract.records import RunWindow
    from qbo_sync.outcomes import RunContext

    parser = argparse.ArgumentParser(prog="python -m qbo_devkit.chaos worker")
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--task-id", required=True)
    parser.add_argument("--map-index", type=int, required=True)
    parser.add_argument("--try-number", type=int, required=True)
    parser.add_argument(
        "--arg", required=True, help="the task's argument, its tenants, serialised as Airflow's XCom does"
    )
    args = parser.parse_args(argv)
    url = os.environ["QBO_SYNC_DATABASE_URL"]
    ctx = RunContext(DAG_ID, args.run_id, args.task_id, args.map_index, args.try_number)
    now = datetime.now(UTC)
    window = RunWindow(args.run_id, now - timedelta(hours=1), now, full_sync=True)
    pipeline.sync_shard(
        lambda: connect(url, autocommit=True),
        ctx,
        deserialize(json.loads(args.arg)),
        window,
        lambda _conn: lambda t: client_for_tenant(url, t),
    )
    return 0


# ---------------------------------------------------------------------- command line
def _airflow_home(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["worker"]:
        return worker(argv[1:])
    parser = argparse.ArgumentParser(
        prog="python -m qbo_devkit.chaos", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    defaults = ChaosConfig()
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--tenants", type=int, default=defaults.tenants)
    parser.add_argument("--invoices", type=int, default=defaults.invoices)
    parser.add_argument("--probability", type=float, default=defaults.probability)
    parser.add_argument("--clear-probability", type=float, default=defaults.clear_probability)
    parser.add_argument("--whole-reruns", type=int, default=defaults.whole_reruns)
    parser.add_argument("--airflow-reruns", type=int, default=defaults.airflow_reruns)
    parser.add_argument("--no-kill", action="store_true")
    parser.add_argument("--no-airflow", action="store_true", help="run the second run in-process too")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--keep-db", action="store_true", help="keep the throwaway database (to look into it)")
    args = parser.parse_args(argv)
    cfg = ChaosConfig(
        seed=args.seed,
        tenants=args.tenants,
        invoices=args.invoices,
        probability=args.probability,
        clear_probability=args.clear_probability,
        whole_reruns=args.whole_reruns,
        airflow_reruns=args.airflow_reruns,
        kill=not args.no_kill,
        airflow=not args.no_airflow,
    )

    import secrets

    from cryptography.fernet import Fernet

    from qbo_devkit.env import airflow_env
    from qbo_emulator.testing import EmulatorProcess
    from qbo_sync.db.connection import (
        airflow_connection_json,
        database_url,
        drop_database,
        ensure_database,
        with_dbname,
    )
    from qbo_sync.db.migrations import migrate

    # A throwaway database and Airflow home: the chaos run never touches the demo's.
    server = with_dbname(database_url(), "postgres")
    name = f"qbo_chaos_{os.getpid()}"
    ensure_database(server, name)
    url = with_dbname(server, name)
    home = tempfile.TemporaryDirectory(prefix="qbo-chaos-airflow-")
    try:
        with connect(url) as conn:
            migrate(conn)
        env = dict(os.environ, **airflow_env())
        env.update(
            AIRFLOW_HOME=home.name, QBO_SYNC_DATABASE_URL=url, AIRFLOW_CONN_QBO_SYNC_DB=airflow_connection_json(url)
        )
        if cfg.airflow:
            _airflow_home(env)
        client_id, client_secret = "chaos-" + secrets.token_hex(4), secrets.token_urlsafe(16)
        with (
            _env(QBO_SYNC_FERNET_KEY=Fernet.generate_key().decode()),
            EmulatorProcess("--no-limits", f"--client-id={client_id}", f"--client-secret={client_secret}") as emu,
        ):
            env["QBO_SYNC_FERNET_KEY"] = os.environ["QBO_SYNC_FERNET_KEY"]
            figures = Chaos(url, emu, (client_id, client_secret), cfg, airflow_env=env).run()
    finally:
        home.cleanup()
        if args.keep_db:
            print(f"database kept: {url}")
        else:
            drop_database(server, name)
    print(figures.render())
    data = {**asdict(figures), "ok": figures.ok}
    print(json.dumps(data, sort_keys=True))
    if args.json:
        Path(args.json).write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return 0 if figures.ok else 1


if __name__ == "__main__":
    sys.exit(main())
