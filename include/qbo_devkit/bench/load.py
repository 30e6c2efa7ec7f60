"""Throughput against QuickBooks' limits: our load step, several tenants at once, and a naive
python-quickbooks loader, all against the emulator enforcing the real limits on a short minute.

Writes and times are read from the emulator (its request log and its companies' contents),
not from our own counters: first write request to last write request of each company.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import requests

from qbo_devkit.bench import env as bench_env
from qbo_devkit.bench import picture
from qbo_sync.db.connection import connect

BATCH_ITEMS = 30


# ---------------------------------------------------------------------- measuring steps
def _backend_cpu(pid: int | None) -> float:
    """CPU seconds of one PostgreSQL server process (0 when /proc cannot tell)."""
    if not pid:
        return 0.0
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def _machine_jiffies() -> tuple[int, int]:
    """(busy, total) CPU jiffies of the whole machine, all cores, from /proc/stat."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return 0, 0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


class StepTimer:
    """Wall time, this process's CPU time and the main connection's server CPU, per step.
    The emulator runs in another process, so its time is in none of them."""

    def __init__(self, conn: Any) -> None:
        from qbo_sync.db.sqlfiles import load_sql

        self.pid = conn.execute(load_sql("devkit/bench/backend_pid")).fetchone()[0]
        self.steps: dict[str, dict[str, float]] = {}

    def step(self, name: str):
        timer = self

        class _Step:
            def __enter__(self) -> None:
                self.t = (time.perf_counter(), time.process_time(), _backend_cpu(timer.pid))

            def __exit__(self, *exc: object) -> None:
                wall, cpu, db = self.t
                got = timer.steps.setdefault(name, {"wall_s": 0.0, "cpu_s": 0.0, "db_cpu_s": 0.0})
                got["wall_s"] += time.perf_counter() - wall
                got["cpu_s"] += time.process_time() - cpu
                got["db_cpu_s"] += _backend_cpu(timer.pid) - db

        return _Step()


def qbo_factory(url: str) -> Callable[[int], Any]:
    from qbo_sync.companies import client_for_tenant

    return lambda tenant_id: client_for_tenant(url, tenant_id)


def stage_run(conn: Any, url: str, run_id: str, timer: StepTimer | None = None, *, plan: bool = True) -> dict[int, Any]:
    """Extract and validate every tenant, as each tenant's track does before loading; returns
    the tenants to load (tenant id -> Tenant), or nothing when ``plan`` is false."""
    from qbo_sync import pipeline
    from qbo_sync.outcomes import RunContext

    win = bench_env.window(run_id)
    qbo = qbo_factory(url)
    timer = timer or StepTimer(conn)
    ctx = RunContext("qbo_sync", run_id, "sync", None, 1)
    tenants = pipeline.list_tenants(conn)
    with timer.step("extract"):
        for tenant in tenants:
            pipeline.extract_tenant(conn, ctx, tenant, win)
    with timer.step("validate"):
        for tenant in tenants:
            pipeline.validate_tenant(conn, ctx, tenant, qbo)
    return {t.tenant_id: t for t in tenants} if plan else {}


def load_tenant(
    conn: Any, url: str, run_id: str, tenant: Any, qbo: Callable[[int], Any] | None = None
) -> dict[str, int]:
    """The load stage of one tenant's track (customers, sub-customers, invoices)."""
    from qbo_sync import pipeline
    from qbo_sync.outcomes import RunContext

    counts = pipeline.load_tenant(
        conn, RunContext("qbo_sync", run_id, "sync", None, 1), tenant, qbo or qbo_factory(url)
    )
    return {key: int(value) for key, value in counts.items() if not isinstance(value, (bool, str))}


# ---------------------------------------------------------------------- parallel load
def _worker(url: str, run_id: str, work: list[Any], start: Any, out: Any, env: dict[str, str]) -> None:
    """One process (an Airflow worker slot): its tenants' load tasks, one thread per tenant."""
    os.environ.update(env)
    results: dict[str, int] = {}
    errors: list[str] = []
    lock = threading.Lock()

    def run(tasks: Any) -> None:
        try:
            with connect(url, autocommit=True) as conn:
                got = load_tenant(conn, url, run_id, tasks)
            with lock:
                for key, value in got.items():
                    results[key] = results.get(key, 0) + value
        except Exception as exc:  # noqa: BLE001 - reported, not raised: the parent decides
            with lock:
                errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=run, args=(tasks,)) for tasks in work]
    start.wait()
    cpu = time.process_time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put({"counts": results, "errors": errors, "cpu_s": time.process_time() - cpu})


def load_parallel(url: str, run_id: str, per_tenant: dict[int, Any], max_processes: int) -> dict[str, Any]:
    """Tenants spread over at most ``max_processes`` processes (spawned: no inherited
    database sockets), all released at once so start-up is not measured."""
    ctx = multiprocessing.get_context("spawn")
    tenants = sorted(per_tenant)
    n = max(1, min(max_processes, len(tenants)))
    groups: list[list[list[tuple[str, dict]]]] = [[] for _ in range(n)]
    for i, tid in enumerate(tenants):
        groups[i % n].append(per_tenant[tid])
    start, out = ctx.Event(), ctx.Queue()
    env = {k: os.environ[k] for k in (bench_env.CONN_ENV, "QBO_SYNC_FERNET_KEY") if k in os.environ}
    procs = [ctx.Process(target=_worker, args=(url, run_id, g, start, out, env)) for g in groups]
    for p in procs:
        p.start()
    time.sleep(min(10.0, 1.0 + 0.4 * n))  # let every child import and reach the start line
    wall = time.perf_counter()
    start.set()
    results = []
    for _ in procs:
        try:
            results.append(out.get(timeout=3600))
        except queue.Empty:
            break
    wall = time.perf_counter() - wall
    for p in procs:
        p.join(timeout=30)
    counts: dict[str, int] = {}
    for r in results:
        for key, value in r["counts"].items():
            counts[key] = counts.get(key, 0) + value
    return {
        "processes": n,
        "threads_per_process": -(-len(tenants) // n),
        "counts": counts,
        "errors": [e for r in results for e in r["errors"]],
        "wall_s": wall,
        "cpu_s": sum(r["cpu_s"] for r in results),
    }


# ---------------------------------------------------------------------- reading the emulator
def _api_token(emu: bench_env.Emulator, realm: str) -> str:
    return emu.process.issue_tokens(realm)["access_token"]


def count_entities(
    emu: bench_env.Emulator,
    realm: str,
    entities: tuple[str, ...] = ("Customer", "Invoice"),
) -> dict[str, int]:
    """What the company holds, asked directly (after the measured window)."""
    headers = {"Authorization": f"Bearer {_api_token(emu, realm)}", "Accept": "application/json"}
    out = {}
    for entity in entities:
        for _ in range(20):  # the count itself may meet the company's own limit
            r = requests.get(
                f"{emu.process.api_url}/company/{realm}/query",
                headers=headers,
                params={"query": f"select count(*) from {entity}"},
                timeout=30,
            )
            if r.status_code != 429:
                break
            time.sleep(0.5)
        r.raise_for_status()
        out[entity] = int(r.json()["QueryResponse"].get("totalCount", 0))
    return out


def write_window(emu: bench_env.Emulator, realm: str, since: datetime | None = None) -> dict[str, Any]:
    """First and last successful write of the company (batch POSTs or entity POSTs), the
    number of write requests, and 429s, from the emulator's request log."""
    log = emu.process.requests_log(realm)
    times = []
    throttled = 0
    for entry in log:
        t = datetime.fromisoformat(entry["time"])
        if since is not None and t < since:
            continue
        if entry["status"] == 429:
            throttled += 1
            continue
        if entry["method"] == "POST" and entry["status"] == 200 and "/query" not in entry["path"]:
            times.append(t)
    first, last = (min(times), max(times)) if times else (None, None)
    # Inside the load's span: batch and plain write requests, and reads (GET, queries).
    batches = plain = reads = 0
    for entry in log:
        t = datetime.fromisoformat(entry["time"])
        if first is None or not first <= t <= last or entry["status"] == 429:
            continue
        if entry["method"] == "GET" or "/query" in entry["path"]:
            reads += 1
        elif entry["path"].endswith("/batch"):
            batches += 1
        else:
            plain += 1
    return {
        "first": first,
        "last": last,
        "write_requests": len(times),
        "batch_requests": batches,
        "plain_requests": plain,
        "reads": reads,
        "throttled_in_log": throttled,
        "log_entries": len(log),
    }


def rate_per_minute(writes: int, last_request_writes: int, first: datetime, last: datetime, minute_s: float) -> float:
    """Writes per emulated minute between the first and the last write request. The
    last request's writes land at the end of the span, so they are not counted in it."""
    span = (last - first).total_seconds()
    if span <= 0:
        return 0.0
    return (writes - last_request_writes) / span * minute_s


# ---------------------------------------------------------------------- our load, measured
def _late_regrants() -> int:
    """Tokens this process's rate budgets gave up because a caller woke too late."""
    from qbo_sync.companies.budget import _SHARED

    return sum(budget.late_regrants for budget in _SHARED.values())


def measure_ours(
    url: str, emu: bench_env.Emulator, *, tenants: int, invoices: int, max_processes: int, label: str
) -> dict[str, Any]:
    """Generate, stage (extract+validate+plan), wait a minute, then load and measure."""
    limits = emu.limits or {}
    minute = float(limits["minute_seconds"])
    data = bench_env.prepare_dataset(url, emu, tenants=tenants, invoices=invoices)
    run_id = f"bench-{label}"
    with connect(url, autocommit=True) as conn:
        per_tenant = stage_run(conn, url, run_id)
        # In Airflow the load runs in task processes of its own, without Great Expectations and
        # the staged rows in memory; here they stay, and a full collection walking them (0.2-0.4 s
        # each, measured) would stall the paced load. Freeze them: the collector skips them.
        gc.collect()
        gc.freeze()
        # Validation's queries and the plan count in the window too: start the load in a fresh one.
        time.sleep(minute * 1.05)
        since = datetime.now().astimezone()
        before = {tid: emu.process.stats(realm)["throttled"] for tid, realm in data["realms"].items()}
        # Where the machine's CPU goes during the load: is it the limit, and whose is it?
        emulator_pid = getattr(getattr(emu.process, "process", None), "pid", None)
        emulator_cpu, machine = _backend_cpu(emulator_pid), _machine_jiffies()
        regrants = _late_regrants()
        if tenants == 1 and max_processes <= 1:
            wall = time.perf_counter()
            cpu = time.process_time()
            counts = load_tenant(conn, url, run_id, next(iter(per_tenant.values())))
            loaded = {
                "processes": 1,
                "threads_per_process": 1,
                "counts": counts,
                "errors": [],
                "wall_s": time.perf_counter() - wall,
                "cpu_s": time.process_time() - cpu,
            }
        else:
            loaded = load_parallel(url, run_id, per_tenant, max_processes)
        emulator_cpu = _backend_cpu(emulator_pid) - emulator_cpu
        regrants = _late_regrants() - regrants  # this process's budgets only (tenants=1)
        busy, total = (a - b for a, b in zip(_machine_jiffies(), machine, strict=False))
        outcomes = bench_env.run_status_counts(conn, run_id)
    gc.unfreeze()
    per_realm = []
    firsts, lasts = [], []
    writes = throttled = last_writes = 0
    for tid, realm in sorted(data["realms"].items()):
        window = write_window(emu, realm, since)
        held = count_entities(emu, realm)
        stats = emu.process.stats(realm)
        n = held["Customer"] + held["Invoice"]
        t429 = stats["throttled"] - before[tid]
        rate = (
            rate_per_minute(n, min(n, BATCH_ITEMS), window["first"], window["last"], minute) if window["first"] else 0.0
        )
        span_min = (window["last"] - window["first"]).total_seconds() / minute if window["first"] else 0.0
        per_realm.append(
            {
                "tenant_id": tid,
                "writes": n,
                "write_requests": window["write_requests"],
                "batch_requests": window["batch_requests"],
                "plain_write_requests": window["plain_requests"],
                "reads": window["reads"],
                "reads_per_minute": round(window["reads"] / span_min, 1) if span_min else 0.0,
                "throttled": t429,
                "writes_per_minute": round(rate, 1),
            }
        )
        writes += n
        throttled += t429
        if window["first"]:
            firsts.append(window["first"])
            lasts.append(window["last"])
            last_writes = BATCH_ITEMS
    first, last = min(firsts), max(lasts)
    if tenants == 1:  # the throughput section's picture (bench/picture.py)
        realm = next(iter(data["realms"].values()))
        series = picture.series(emu.process.requests_log(realm), since, writes, minute)
    aggregate = rate_per_minute(writes, last_writes, first, last, minute)
    batch_ceiling = BATCH_ITEMS * limits["batches_per_minute"]
    # The combined ceiling (issue 19): 40 batches of 30, plus the plain requests left of the
    # 500 after the batches and the reads the load itself made (per tenant, per minute).
    reads_per_minute = sum(p["reads_per_minute"] for p in per_realm) / max(1, len(per_realm))
    combined = batch_ceiling + (limits["requests_per_minute"] - limits["batches_per_minute"] - reads_per_minute)
    failed = sum(v for k, v in outcomes.items() if k.endswith(" failed"))
    return {
        "label": label,
        "minute_seconds": minute,
        "tenants": tenants,
        "invoices": invoices,
        "customers": data["counts"].get("clients"),
        "writes": writes,
        "load_seconds": round((last - first).total_seconds(), 3),
        "writes_per_emulated_minute": round(aggregate, 1),
        "writes_per_second_wall": round(aggregate / minute, 1),
        "batch_ceiling_per_minute": batch_ceiling * tenants,
        "combined_ceiling_per_minute": round(combined * tenants, 1),
        "reads_per_minute": round(reads_per_minute, 1),
        "batch_requests": sum(p["batch_requests"] for p in per_realm),
        "plain_write_requests": sum(p["plain_write_requests"] for p in per_realm),
        "writes_by_batch": writes - sum(p["plain_write_requests"] for p in per_realm),
        "of_batch_ceiling": round(aggregate / (batch_ceiling * tenants), 3),
        "of_combined_ceiling": round(aggregate / (combined * tenants), 3),
        "throttled_429": throttled,
        "late_regrants": regrants,
        "failed_records": failed,
        "outcomes": outcomes,
        "processes": loaded["processes"],
        "threads_per_process": loaded["threads_per_process"],
        "load_cpu_s": round(loaded["cpu_s"], 3),
        "load_wall_s": round(loaded["wall_s"], 3),
        "emulator_cpu_s": round(emulator_cpu, 3),
        "machine_cpu_busy": round(busy / total, 3) if total else None,
        "errors": loaded["errors"][:5],
        "per_tenant": per_realm,
        **({"series": series} if tenants == 1 else {}),
    }


# ---------------------------------------------------------------------- the naive baseline
class RecordingClient:
    """Wraps our client and keeps what the loader sent, so the baseline sends the same."""

    def __init__(self, inner: Any, sink: list[tuple[str, dict[str, Any]]]) -> None:
        self._inner = inner
        self._sink = sink

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def __enter__(self) -> RecordingClient:
        self._inner.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._inner.__exit__(*exc)

    def batch(self, operations, **kwargs):
        ops = list(operations)
        return self._keep(ops, self._inner.batch(ops, **kwargs))

    def write_many(self, operations, **kwargs):
        ops = list(operations)
        return self._keep(ops, self._inner.write_many(ops, **kwargs))

    def _keep(self, ops, results):
        for op, res in zip(ops, results, strict=False):
            # Customers and invoices only: what the comparison is about (payments and credit
            # notes that run_once also posts link to this company's invoice Ids).
            if res.ok and op.entity_name in ("Customer", "Invoice"):
                self._sink.append((op.entity_name, {"body": op.payload, "id": res.entity["Id"]}))
        return results


def capture_payloads(url: str, emu: bench_env.Emulator, *, invoices: int) -> list[tuple[str, dict]]:
    """Our pipeline's payloads for ``invoices`` invoices (limits off, not measured): the
    steps up to the load only (the payment steps are not what is compared)."""
    data = bench_env.prepare_dataset(url, emu, tenants=1, invoices=invoices)
    sink: list[tuple[str, dict[str, Any]]] = []
    inner = qbo_factory(url)
    with connect(url, autocommit=True) as conn:
        for tenant in stage_run(conn, url, "bench-capture").values():
            load_tenant(conn, url, "bench-capture", tenant, lambda tid: RecordingClient(inner(tid), sink))
    del data
    return sink


def measure_naive(emu: bench_env.Emulator, payloads: list[tuple[str, dict]]) -> dict[str, Any]:
    """A peer's loader on python-quickbooks: one create per record (``create_object``, what
    ``save()`` sends, with our payload as JSON so money stays exact), no batching, no pacing;
    on a 429 it waits a minute (the emulator's) and tries again."""
    import intuitlib.config
    from intuitlib.client import AuthClient
    from quickbooks import QuickBooks
    from quickbooks.exceptions import QuickbooksException

    saved = (
        intuitlib.config.DISCOVERY_URL.get("sandbox"),
        QuickBooks.sandbox_api_url_v3,
        os.environ.get("OAUTHLIB_INSECURE_TRANSPORT"),
    )
    intuitlib.config.DISCOVERY_URL["sandbox"] = emu.process.sandbox_discovery_url
    QuickBooks.sandbox_api_url_v3 = emu.process.api_url
    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"  # the emulator speaks plain http
    try:
        return _naive(emu, payloads, QuickBooks, AuthClient, QuickbooksException)
    finally:
        intuitlib.config.DISCOVERY_URL["sandbox"] = saved[0]
        QuickBooks.sandbox_api_url_v3 = saved[1]
        if saved[2] is None:
            os.environ.pop("OAUTHLIB_INSECURE_TRANSPORT", None)


def _naive(
    emu: bench_env.Emulator,
    payloads: list[tuple[str, dict]],
    QuickBooks: Any,
    AuthClient: Any,
    QuickbooksException: Any,
) -> dict[str, Any]:
    from qbo_client.jsonutil import dumps

    limits = emu.limits or {}
    minute = float(limits["minute_seconds"])
    info = emu.process.create_company(region="AU")
    auth = AuthClient(emu.client_id, emu.client_secret, "https://billing.example.com/callback", "sandbox")
    auth.refresh(refresh_token=info["refresh_token"])
    qb = QuickBooks(auth_client=auth, refresh_token=auth.refresh_token, company_id=info["realm_id"], minorversion=75)
    realm = info["realm_id"]
    ids: dict[str, str] = {}  # our company's customer Id -> this company's
    time.sleep(minute * 1.05)  # start in a fresh window, like ours
    since = datetime.now().astimezone()
    retries = failures = 0
    wall = time.perf_counter()
    for entity, item in payloads:
        body = dict(item["body"])
        if entity == "Customer" and "ParentRef" in body:
            body["ParentRef"] = {"value": ids[str(body["ParentRef"]["value"])]}
        if entity == "Invoice":
            body["CustomerRef"] = {"value": ids[str(body["CustomerRef"]["value"])]}
        text = dumps(body)
        for _ in range(20):
            try:
                saved = qb.create_object(entity, text)[entity]
                break
            except QuickbooksException as exc:
                if "ThrottleExceeded" not in str(exc.detail or "") + str(exc.message or ""):
                    raise
                retries += 1
                time.sleep(minute)
        else:
            failures += 1
            continue
        if entity == "Customer":
            ids[str(item["id"])] = str(saved["Id"])
    wall = time.perf_counter() - wall
    window = write_window(emu, realm, since)
    held = count_entities(emu, realm)
    writes = held["Customer"] + held["Invoice"]
    rate = rate_per_minute(writes, 1, window["first"], window["last"], minute) if window["first"] else 0.0
    stats = emu.process.stats(realm)
    return {
        "series": picture.series(emu.process.requests_log(realm), since, writes, minute),
        "label": "python-quickbooks, one save per record",
        "writes": writes,
        "load_seconds": round((window["last"] - window["first"]).total_seconds(), 3),
        "writes_per_emulated_minute": round(rate, 1),
        "of_batch_ceiling": round(rate / (BATCH_ITEMS * limits["batches_per_minute"]), 3),
        "throttled_429": stats["throttled"],
        "retries_after_429": retries,
        "failed_records": failures,
        "wall_s": round(wall, 3),
    }
