"""Our own cost with QuickBooks' limits off: CPU per invoice of each step, and the peak
memory of extract + validate in a process that does nothing else.

``python -m qbo_devkit.bench.overhead URL RUN_ID`` is that process: it stages and
validates every tenant of the database at URL and prints its peak RSS (VmHWM) as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from qbo_devkit.bench import env as bench_env
from qbo_devkit.bench import load as bench_load
from qbo_sync.db.connection import connect

STEPS = ("extract", "validate", "load", "report")


def _vm(field: str) -> float | None:
    """A /proc/self/status size in MB (VmHWM: peak resident set)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError):
        pass
    return None


def memory_child(url: str, run_id: str, *, timeout: float = 3600) -> dict[str, Any]:
    """Run extract + validate in a fresh process; its own peak RSS, read by itself at the end."""
    from qbo_sync.settings import project_root

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(project_root() / "include"), env.get("PYTHONPATH")) if p)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "qbo_devkit.bench.overhead", url, run_id],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the extract+validate process failed: {done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_s"] = round(time.perf_counter() - started, 2)
    return result


def _import_cost() -> dict[str, float]:
    probe = (
        "import time\nt, c = time.perf_counter(), time.process_time()\n"
        "import great_expectations, pandas\n"
        "print(time.perf_counter() - t, time.process_time() - c)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
        env={**os.environ, "GX_ANALYTICS_ENABLED": "False"},
    )
    wall, cpu = (float(x) for x in done.stdout.split()[-2:])
    return {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3)}


def measure_overhead(url: str, emu: bench_env.Emulator, *, invoices: int, memory: bool = True) -> dict[str, Any]:
    """One dataset of ``invoices`` invoices (one tenant): the memory child first (so it sees
    a company with no data yet), then every step in this process, timed."""
    t = time.perf_counter()
    data = bench_env.prepare_dataset(url, emu, tenants=1, invoices=invoices)
    generated_s = time.perf_counter() - t
    out: dict[str, Any] = {
        "invoices": invoices,
        "customers": data["counts"].get("clients"),
        "generate_s": round(generated_s, 1),
    }
    if memory:
        out["memory"] = memory_child(url, f"bench-mem-{invoices}")
    run_id = f"bench-cpu-{invoices}"
    # Importing Great Expectations and pandas costs seconds once per process, whatever the
    # size: measured apart so that the per-invoice figures are per invoice.
    # Imported here first (an earlier section may already have); its cost is measured in a
    # fresh process, where it is really paid.
    import great_expectations  # noqa: F401
    import pandas  # noqa: F401

    out["gx_import"] = _import_cost()
    with connect(url, autocommit=True) as conn:
        timer = bench_load.StepTimer(conn)
        per_tenant = bench_load.stage_run(conn, url, run_id, timer)
        with timer.step("load"):
            for tenant in per_tenant.values():
                bench_load.load_tenant(conn, url, run_id, tenant)
        from qbo_sync.report.run import report_run

        with timer.step("report"):
            report_run(conn, run_id)
        outcomes = bench_env.run_status_counts(conn, run_id)
    synced = sum(v for k, v in outcomes.items() if k.startswith("invoice "))
    out["invoices_in_run"] = synced
    out["outcomes"] = outcomes
    out["steps"] = {name: {k: round(v, 3) for k, v in timer.steps[name].items()} for name in STEPS}
    # Per invoice of the run (customers ride along: they are the invoices' cost too).
    per = max(1, synced)
    out["cpu_ms_per_invoice"] = {name: round(timer.steps[name]["cpu_s"] * 1000 / per, 4) for name in STEPS}
    out["cpu_ms_per_invoice"]["total"] = round(sum(out["cpu_ms_per_invoice"][s] for s in STEPS), 4)
    out["db_cpu_ms_per_invoice"] = round(sum(timer.steps[s]["db_cpu_s"] for s in STEPS) * 1000 / per, 4)
    return out


def profile_overhead(url: str, emu: bench_env.Emulator, *, invoices: int, top: int = 25) -> dict[str, Any]:
    """The same steps as ``measure_overhead`` under cProfile, on a dataset of its own (the
    profiler slows what it watches, so its figures are not the CPU per invoice): the
    functions with the most CPU of their own, and the biggest by cumulative CPU (this
    process's CPU time, so waits for answers are left out)."""
    import cProfile
    import pstats

    from qbo_sync.report.run import report_run

    bench_env.prepare_dataset(url, emu, tenants=1, invoices=invoices)
    run_id = f"bench-profile-{invoices}"
    profiler = cProfile.Profile(time.process_time)  # CPU: waits on QuickBooks and PostgreSQL are not ours
    with connect(url, autocommit=True) as conn:
        profiler.enable()
        per_tenant = bench_load.stage_run(conn, url, run_id)
        for tenant in per_tenant.values():
            bench_load.load_tenant(conn, url, run_id, tenant)
        report_run(conn, run_id)
        profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt

    def rows(key: str) -> list[dict[str, Any]]:
        entries = sorted(stats.stats.items(), key=lambda kv: kv[1][2 if key == "own" else 3], reverse=True)
        return [
            {
                "function": f"{Path(file).name}:{line}({name})",
                "calls": nc,
                "own_s": round(tt, 3),
                "cumulative_s": round(ct, 3),
                "own_share": round(tt / total, 3) if total else None,
            }
            for (file, line, name), (_cc, nc, tt, ct, _callers) in entries[:top]
        ]

    return {"invoices": invoices, "profiled_s": round(total, 2), "top_own": rows("own"), "top_cumulative": rows("cum")}


def _child(url: str, run_id: str) -> None:
    from qbo_devkit.bench.load import stage_run
    from qbo_sync import pipeline
    from qbo_sync.validate import customers, invoices

    # The peak so far after each phase: where a growing peak comes from.
    phases: dict[str, float | None] = {}

    def after(name: str, fn):
        def wrapped(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            finally:
                phases[name] = _vm("VmHWM")

        return wrapped

    pipeline.extract_tenant = after("extract", pipeline.extract_tenant)
    customers.validate_customers = after("validate_customers", customers.validate_customers)
    invoices.validate_invoices = after("validate_invoices", invoices.validate_invoices)
    start_hwm = _vm("VmHWM")
    with connect(url, autocommit=True) as conn:
        stage_run(conn, url, run_id, plan=False)
    print(
        json.dumps(
            {
                "peak_rss_mb": _vm("VmHWM"),
                "rss_after_imports_mb": start_hwm,
                "rss_end_mb": _vm("VmRSS"),
                "peak_after_mb": phases,
            }
        )
    )


if __name__ == "__main__":
    import logging

    logging.basicConfig(level=logging.WARNING)
    _child(sys.argv[1], sys.argv[2])
