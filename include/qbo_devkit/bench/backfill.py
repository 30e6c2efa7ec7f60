"""The backfill and companies sections of ``make bench``: whole backfills through a real
Airflow (LocalExecutor: api-server, scheduler, dag-processor, from bench/fleet.py), against
the emulator enforcing QuickBooks' limits on the bench's minute.

Set-up (timed apart): clean generated data for N tenants (``invoices`` each with their
clients and sub-clients), trimmed to ``payments`` app payments and ``credit_notes`` finalized
credit notes a tenant; one new, empty emulator company per tenant; Airflow started with
``QBO_SYNC_SCHEDULE`` on 29 February (no scheduled run falls due, so nothing but the backfill
touches the tenants) and ``qbo_sync`` unpaused.

The measured run: ``airflow dags trigger qbo_sync`` with ``{"tenant_ids": [...], "full_sync":
true}``, as docs/operations.md says to send a new tenant's whole history. While it runs, every
0.25 s: the stage each tenant's track is in (``qbo_sync.tenant_tracks``). Afterwards: task
instances (Airflow), tracks (``qbo_sync.track_runs``), outcomes (``qbo_sync.sync_log``), and
from the emulator each company's request log (first and last write) and contents. Wall = the
run's start (``dag_run.start_date``) to the company's last write; floor = its writes at the
combined ceiling (backfill_figures). CPU of the Airflow processes and their descendants, the
PostgreSQL server and the emulator, from ``/proc``.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import psycopg

from qbo_devkit.bench import backfill_figures as figures
from qbo_devkit.bench import fleet
from qbo_devkit.bench import load as bench_load
from qbo_sync.db.connection import airflow_connection_json, connect
from qbo_sync.db.sqlfiles import load_sql

DAG_ID = "qbo_sync"
NEVER_DUE = "0 0 29 2 *"  # 29 February: with catchup off, no scheduled run falls due for years
ENTITIES = ("Customer", "Invoice", "Payment", "CreditMemo")
STAGE_ENTITIES = {"load": ("Customer", "Invoice"), "post_payments": ("Payment", "CreditMemo")}
SEED = 19


def _say(message: str) -> None:
    print(f"[backfill {datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


@dataclass
class BackfillSettings:
    companies: int = 1
    invoices: int = 20_000  # per company
    payments: int = 5_000  # app payments per company
    credit_notes: int = 500  # finalized credit notes per company
    minute_seconds: float = 6.0
    parallelism: int | None = None  # None: every sync task at once (companies + 2)
    run_timeout_s: float = 7200.0


class StageSampler(threading.Thread):
    """When each tenant's track began each stage: the heartbeat of the first sample that saw
    it there (``at_stage`` sets it as the stage begins; it is later only if the stage had
    already refreshed it within one interval)."""

    def __init__(self, url: str, interval: float = 0.25) -> None:
        super().__init__(daemon=True, name="backfill-stages")
        self.url, self.interval = url, interval
        self.first_seen: dict[tuple[int, str, str], datetime] = {}
        self._halt = threading.Event()

    def run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self._halt.is_set():
                for tenant_id, run_id, stage, beat in conn.execute(load_sql("devkit/bench/backfill_track_stages")):
                    self.first_seen.setdefault((int(tenant_id), run_id, stage), beat)
                self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join(10)

    def stages(self, tenant_id: int, run_id: str) -> dict[str, datetime]:
        return {s: t for (tid, rid, s), t in self.first_seen.items() if tid == tenant_id and rid == run_id}


def prepare(url: str, emu: Any, s: BackfillSettings) -> dict[str, Any]:
    from qbo_devkit.generator.dataset import generate

    with connect(url) as conn:
        conn.execute(load_sql("admin/truncate_all"))
        conn.commit()
        manifest = generate(
            conn, seed=SEED, tenants=s.companies, invoices=s.invoices * s.companies, bad_cases="none", replace=True
        )
        conn.commit()
        conn.execute(load_sql("devkit/bench/backfill_trim_payments"), {"keep": s.payments})
        conn.execute(load_sql("devkit/bench/backfill_trim_credit_notes"), {"keep": s.credit_notes})
        conn.commit()
        conn.execute(load_sql("devkit/bench/analyze"))
        conn.commit()
        app = {
            int(r[0]): dict(
                zip(("invoices", "clients", "sub_clients", "payments", "credit_notes"), map(int, r[1:]), strict=True)
            )
            for r in conn.execute(load_sql("devkit/bench/backfill_app_counts"))
        }
    realms = fleet.provision_fleet(url, emu, manifest)
    return {"realms": realms, "app": app}


def _writes(emu: Any, realm: str, since: datetime | None) -> dict[str, Any]:
    """Successful write requests of the company from ``since`` (the load stage's start: the
    look-ups of validation go as batches of queries, POSTs too), from its request log."""
    times, throttled, where, refused_at = [], 0, Counter(), []
    for entry in emu.process.requests_log(realm):
        at = datetime.fromisoformat(entry["time"])
        if entry["status"] == 429:
            throttled += 1
            where[f"{entry['method']} {entry['path'].rsplit('/', 1)[-1]}"] += 1
            refused_at.append(entry["time"])
        elif entry["method"] == "POST" and entry["status"] == 200 and "/query" not in entry["path"]:
            if since is None or at >= since:
                times.append(at)
    return {
        "first": min(times, default=None),
        "last": max(times, default=None),
        "requests": len(times),
        "429_in_log": throttled,
        "429_by_request": dict(where),  # e.g. "POST batch", "POST payment", "GET query"
        "429_at": refused_at[:100],  # when (emulator clock), to place them in the stages
    }


def _moments(tis: list[tuple], stages: dict[str, datetime], track: tuple | None, run_start: datetime) -> dict[str, Any]:
    def first_start(task: str) -> datetime | None:
        return min((t[5] for t in tis if t[0] == task and t[5]), default=None)

    return {
        "run_start": run_start,
        "tenants_start": first_start("tenants"),
        "sync_task_start": first_start("sync"),
        "track_start": track[3] if track else None,
        "validate_start": stages.get("validate"),
        "load_start": stages.get("load"),
        "post_payments_start": stages.get("post_payments"),
        "payments_back_start": stages.get("payments_back"),
        "reconcile_start": stages.get("reconcile"),
        "track_end": track[4] if track else None,
    }


def measure(url: str, template: str, s: BackfillSettings, say: Any = _say) -> dict[str, Any]:
    from qbo_devkit.bench import env as bench_env

    lim = fleet.limits(s.minute_seconds)
    row: dict[str, Any] = {
        "companies": s.companies,
        "invoices_per_company": s.invoices,
        "settings": asdict(s),
        "setup_s": {},
    }
    server = bench_env.server_url()
    with bench_env.emulator(lim) as emu, bench_env.app_connection(emu, bench_env.budget_for(lim)):
        t = time.perf_counter()
        data = prepare(url, emu, s)
        row["setup_s"]["data_and_companies"] = round(time.perf_counter() - t, 1)
        row["app"] = data["app"]
        say(
            f"backfill: {s.companies} companies ready in {row['setup_s']['data_and_companies']} s: "
            f"{json.dumps(data['app'])}"
        )
        t = time.perf_counter()
        cluster = fleet.Cluster(
            server,
            template,
            {
                "AIRFLOW_CONN_QBO_SYNC_DB": airflow_connection_json(url),
                "AIRFLOW_CONN_QUICKBOOKS_DEFAULT": os.environ[bench_env.CONN_ENV],
                "QBO_SYNC_FERNET_KEY": os.environ["QBO_SYNC_FERNET_KEY"],
                "QBO_SYNC_DATABASE_URL": url,
                "QBO_SYNC_SCHEDULE": NEVER_DUE,
            },
            s.parallelism or s.companies + 2,
        )
        try:
            cluster.start()
            cluster.cli("dags", "unpause", DAG_ID)
            row["setup_s"]["airflow_start"] = round(time.perf_counter() - t, 1)
            row.update(_the_run(url, cluster, emu, s, data, lim))
        finally:
            cluster.stop()
    return row


def _the_run(
    url: str, cluster: Any, emu: Any, s: BackfillSettings, data: dict[str, Any], lim: dict[str, Any]
) -> dict[str, Any]:
    from qbo_devkit.bench import env as bench_env

    realms = data["realms"]
    roots = [proc.pid for proc in cluster.procs.values()]
    table = fleet._proc_table()
    emu_pid = emu.process.process.pid
    cpu0 = (
        fleet.tree_cpu_seconds(roots, table),
        fleet.postgres_cpu_seconds(table),
        fleet.tree_cpu_seconds([emu_pid], table),
    )
    jiffies0 = bench_load._machine_jiffies()
    load_before = bench_env.load_average()
    sampler = StageSampler(url)
    sampler.start()
    conf = json.dumps({"tenant_ids": sorted(realms), "full_sync": True})
    cluster.cli("dags", "trigger", DAG_ID, "--conf", conf)
    deadline = time.monotonic() + s.run_timeout_s
    run = None
    with psycopg.connect(cluster.metadata_url, autocommit=True) as meta:
        while time.monotonic() < deadline:
            runs = meta.execute(load_sql("devkit/bench/fleet_dag_runs"), {"dag_id": DAG_ID}).fetchall()
            if runs and runs[-1][1] in ("success", "failed"):
                run = runs[-1]
                break
            cluster._check_alive()
            time.sleep(0.5)
        sampler.stop()
        table = fleet._proc_table()
        cpu = {
            "airflow": round(fleet.tree_cpu_seconds(roots, table) - cpu0[0], 1),
            "postgresql_server": round(fleet.postgres_cpu_seconds(table) - cpu0[1], 1),
            "emulator": round(fleet.tree_cpu_seconds([emu_pid], table) - cpu0[2], 1),
        }
        busy, total = (a - b for a, b in zip(bench_load._machine_jiffies(), jiffies0, strict=True))
        load_end = bench_env.load_average()
        if run is None:
            raise TimeoutError(
                f"the {DAG_ID} run did not finish in {s.run_timeout_s:.0f} s: {cluster.log('scheduler')}"
            )
        run_id, state, _di_start, _di_end, run_start, run_end, queued_at = run
        tis = meta.execute(
            load_sql("devkit/bench/backfill_task_instances"), {"dag_id": DAG_ID, "run_id": run_id}
        ).fetchall()
    with connect(url) as conn:
        tracks = {int(r[0]): r for r in conn.execute(load_sql("devkit/bench/fleet_track_runs"), {"run_id": run_id})}
        spans = conn.execute(load_sql("devkit/bench/backfill_log_spans"), {"run_id": run_id}).fetchall()
    outcomes: dict[int, Counter] = defaultdict(Counter)
    for tenant_id, entity, status, n, _first, _last in spans:
        outcomes[int(tenant_id)][f"{entity} {status}"] += int(n)
    per_company, throttled = [], 0
    for tenant_id, realm in sorted(realms.items()):
        held = bench_load.count_entities(emu, realm, ENTITIES)
        moments = _moments(tis, sampler.stages(tenant_id, run_id), tracks.get(tenant_id), run_start)
        window = _writes(emu, realm, moments["load_start"])
        t429 = int(emu.process.stats(realm)["throttled"])
        throttled += t429
        writes = sum(held.values())
        moments.update(first_write=window["first"], last_write=window["last"])
        got = figures.company_figures(moments, writes, lim)
        synced = {k.split()[0]: v for k, v in outcomes[tenant_id].items() if k.endswith(" synced")}
        app = data["app"][tenant_id]
        by_stage = []
        for stage, nxt, entities in (
            ("load", "post_payments_start", STAGE_ENTITIES["load"]),
            ("post_payments", "payments_back_start", STAGE_ENTITIES["post_payments"]),
        ):
            n = sum(held[e] for e in entities)
            by_stage.append(
                {
                    "stage": stage,
                    "writes": n,
                    "seconds": figures.seconds(moments.get(f"{stage}_start"), moments.get(nxt)),
                    "floor_s": round(figures.floor_seconds(n, lim), 2),
                }
            )
        per_company.append(
            {
                "tenant_id": tenant_id,
                **got,
                "first_write": window["first"],
                "last_write": window["last"],
                "write_requests": window["requests"],
                "in_the_app": app,
                "held_in_quickbooks": held,
                "synced": synced,
                "outcomes": dict(outcomes[tenant_id]),
                "throttled_429": t429,
                "throttled_by_request": window["429_by_request"],
                "throttled_at": window["429_at"],
                "writing_by_stage": by_stage,
                "after_last_write_s": figures.seconds(window["last"], moments.get("track_end")),
                "moments": {k: v.isoformat() if v else None for k, v in moments.items()},
                # Each record the sync logged as synced is in QuickBooks once: the company holds
                # as many as were synced (a duplicate would be one more). A credit memo is
                # applied with a zero Payment of its own (none when the invoice owes nothing).
                "exactly_once": held["Invoice"] == synced.get("invoice", -1)
                and held["Customer"] == synced.get("customer", -1)
                and held["CreditMemo"] == synced.get("credit_memo", -1)
                and 0 <= held["Payment"] - synced.get("payment", -1) <= held["CreditMemo"],
                "credit_applications": held["Payment"] - synced.get("payment", 0),
            }
        )
    fig = figures.run_figures(per_company, lim)
    failed = sum(v for c in outcomes.values() for k, v in c.items() if k.endswith(" failed"))
    cpu_total = {**cpu, "total": round(sum(cpu.values()), 1)}
    return {
        "run_id": run_id,
        "state": state,
        "queued_to_start_s": figures.seconds(queued_at, run_start),
        "run_s": figures.seconds(run_start, run_end),
        "last_write_to_run_end_s": figures.seconds(
            max((c["last_write"] for c in per_company if c["last_write"]), default=None), run_end
        ),
        "figures": fig,
        "projected_ratio_60s_minute": figures.projected_ratio(
            fig["wall_s"], _writing_span(per_company), fig["floor_s"], s.minute_seconds
        )
        if fig.get("wall_s")
        else None,
        "per_company": [
            {**c, "first_write": str(c["first_write"]), "last_write": str(c["last_write"])} for c in per_company
        ],
        "task_instances": [
            {
                "task": t[0],
                "map_index": t[1],
                "state": t[2],
                "try": t[3],
                "queued_to_start_s": figures.seconds(t[4], t[5]),
                "run_s": figures.seconds(t[5], t[6]),
            }
            for t in tis
        ],
        "cpu_s": cpu_total,
        "cpu_ms_per_write": figures.cpu_per_write_ms(cpu_total, fig.get("writes", 0)),
        "machine_cpu_busy": round(busy / total, 3) if total else None,
        "throttled_429": throttled,
        "failed_records": failed,
        "exactly_once": all(c["exactly_once"] for c in per_company),
        "load_average_before": load_before,
        "load_average_end": load_end,
    }


def _writing_span(per_company: list[dict[str, Any]]) -> float | None:
    """First to last write of any company."""
    firsts = [c["first_write"] for c in per_company if c["first_write"]]
    lasts = [c["last_write"] for c in per_company if c["last_write"]]
    return figures.seconds(min(firsts), max(lasts)) if firsts and lasts else None


def run_sizes(url: str, counts: list[int], base: BackfillSettings, say: Any = _say) -> dict[str, Any]:
    from qbo_devkit.bench import env as bench_env

    rows = []
    with fleet.metadata_template(bench_env.server_url()) as template:
        for n in counts:
            say(f"backfill: {n} companies x {base.invoices:,} invoices")
            rows.append(measure(url, template, BackfillSettings(**{**asdict(base), "companies": n}), say))
            brief = {k: rows[-1]["figures"].get(k) for k in ("writes", "floor_s", "wall_s", "ratio", "of_ceiling")}
            say(f"backfill: {n} companies: {json.dumps(brief)}")
    return {"runs": rows}


def _settings(sizes: Any, companies: int, invoices: int) -> BackfillSettings:
    """Payments and credit notes in the proportion of the backfill's sizes (5,000 and 500 to
    20,000 invoices by default)."""
    share = invoices / sizes.backfill_invoices if sizes.backfill_invoices else 0
    return BackfillSettings(
        companies=companies,
        invoices=invoices,
        payments=round(sizes.backfill_payments * share),
        credit_notes=round(sizes.backfill_credit_notes * share),
        minute_seconds=sizes.minute_seconds,
        parallelism=sizes.backfill_parallelism,
    )


def run_backfill(url: str, sizes: Any, results: dict[str, Any]) -> None:
    """The ``backfill`` section: one company's whole history through the scheduler."""
    results["backfill"] = run_sizes(url, [1], _settings(sizes, 1, sizes.backfill_invoices))


def run_companies(url: str, sizes: Any, results: dict[str, Any]) -> None:
    """The ``companies`` section: the same backfill for 1 / 4 / 16 companies at once."""
    results["companies"] = run_sizes(url, sizes.companies_counts, _settings(sizes, 1, sizes.companies_invoices))
