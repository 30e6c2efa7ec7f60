"""Benchmark: how many requests per second one emulator process (one uvicorn worker) serves.

    python -m qbo_emulator.bench                       # starts its own emulator, limits off
    python -m qbo_emulator.bench --base-url http://127.0.0.1:8765 --duration 10

The load generator runs in separate processes (threads with keep-alive http.client
connections), so it does not share the server's core. Prints one table row per scenario.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import statistics
import sys
import threading
import time
from typing import Any
from urllib.parse import urlparse

SCENARIOS = ("read", "query", "create", "batch30")


def _request_for(
    scenario: str, realm_id: str, item_id: str, customer_id: str, tag: str, counter: int
) -> tuple[str, str, bytes | None, int]:
    base = f"/v3/company/{realm_id}"
    if scenario == "read":
        return "GET", f"{base}/customer/{customer_id}?minorversion=75", None, 0
    if scenario == "query":
        return (
            "GET",
            f"{base}/query?query=select%20*%20from%20Item%20where%20Id%20%3D%20%27{item_id}%27&minorversion=75",
            None,
            0,
        )
    if scenario == "create":
        body = json.dumps(
            {"DisplayName": f"Bench {tag} {counter}", "PrimaryEmailAddr": {"Address": "bench@example.com"}}
        ).encode()
        return "POST", f"{base}/customer?minorversion=75", body, 1
    if scenario == "batch30":
        items = [
            {"bId": str(i), "operation": "create", "Customer": {"DisplayName": f"Bench {tag} {counter}-{i}"}}
            for i in range(30)
        ]
        return "POST", f"{base}/batch?minorversion=75", json.dumps({"BatchItemRequest": items}).encode(), 30
    raise ValueError(scenario)


def _worker(args: tuple[str, str, str, str, str, str, int, float, int]) -> dict[str, Any]:
    """One load-generator process: ``threads`` keep-alive connections until the deadline."""
    base_url, token, realm_id, item_id, customer_id, scenario, threads, duration, worker_no = args
    parsed = urlparse(base_url)
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json", "Content-Type": "application/json"}
    latencies: list[float] = []
    errors = [0]
    entities = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + duration

    def run(thread_no: int) -> None:
        connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
        mine: list[float] = []
        my_errors = 0
        my_entities = 0
        counter = 0
        tag = f"{os.getpid()}-{worker_no}-{thread_no}"
        while time.perf_counter() < deadline:
            counter += 1
            method, path, body, weight = _request_for(scenario, realm_id, item_id, customer_id, tag, counter)
            started = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
                connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
            mine.append(time.perf_counter() - started)
            if ok:
                my_entities += weight
            else:
                my_errors += 1
        connection.close()
        with lock:
            latencies.extend(mine)
            errors[0] += my_errors
            entities[0] += my_entities

    pool = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return {"latencies": latencies, "errors": errors[0], "entities": entities[0]}


def _setup(base_url: str) -> dict[str, str]:
    import requests

    info = requests.post(base_url + "/_emulator/companies", json={"region": "AU"}, timeout=10).json()
    token = requests.post(f"{base_url}/_emulator/companies/{info['realm_id']}/tokens", json={}, timeout=10).json()[
        "access_token"
    ]
    headers = {"Authorization": f"Bearer {token}"}
    customer = requests.post(
        f"{base_url}/v3/company/{info['realm_id']}/customer",
        headers=headers,
        json={"DisplayName": "Bench Reader"},
        timeout=10,
    ).json()["Customer"]
    return {
        "realm_id": info["realm_id"],
        "token": token,
        "item_id": info["service_item_id"],
        "customer_id": customer["Id"],
    }


def run_benchmark(
    base_url: str, scenarios: list[str], duration: float, processes: int, threads: int
) -> list[dict[str, Any]]:
    rows = []
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes) as pool:
        for scenario in scenarios:
            setup = _setup(base_url)  # a fresh company per scenario: equal starting size
            jobs = [
                (
                    base_url,
                    setup["token"],
                    setup["realm_id"],
                    setup["item_id"],
                    setup["customer_id"],
                    scenario,
                    threads,
                    duration,
                    n,
                )
                for n in range(processes)
            ]
            results = pool.map(_worker, jobs)
            latencies = sorted(ln for r in results for ln in r["latencies"])
            count = len(latencies)
            errors = sum(r["errors"] for r in results)
            entities = sum(r["entities"] for r in results)
            rows.append(
                {
                    "scenario": scenario,
                    "requests": count,
                    "errors": errors,
                    "requests_per_s": count / duration,
                    "entities_per_s": entities / duration,
                    "p50_ms": statistics.median(latencies) * 1000 if latencies else 0.0,
                    "p99_ms": latencies[min(count - 1, int(count * 0.99))] * 1000 if latencies else 0.0,
                }
            )
    return rows


def format_table(rows: list[dict[str, Any]]) -> str:
    lines = [
        f"{'scenario':<10} {'requests':>9} {'errors':>7} {'req/s':>9} {'entities/s':>11} {'p50 ms':>8} {'p99 ms':>8}"
    ]
    for row in rows:
        lines.append(
            f"{row['scenario']:<10} {row['requests']:>9} {row['errors']:>7} {row['requests_per_s']:>9.0f} "
            f"{row['entities_per_s']:>11.0f} {row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m qbo_emulator.bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base-url", help="an emulator already running (default: start one, limits off)")
    parser.add_argument(
        "--scenarios", default=",".join(SCENARIOS), help=f"comma-separated, from {', '.join(SCENARIOS)} (default: all)"
    )
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per scenario (default %(default)s)")
    parser.add_argument("--processes", type=int, default=1, help="load-generator processes (default %(default)s)")
    parser.add_argument("--threads", type=int, default=8, help="connections per process (default %(default)s)")
    args = parser.parse_args(argv)
    scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = set(scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {sorted(unknown)}")

    if args.base_url:
        rows = run_benchmark(args.base_url.rstrip("/"), scenarios, args.duration, args.processes, args.threads)
    else:
        from .testing import EmulatorProcess

        with EmulatorProcess("--no-limits") as emulator:
            rows = run_benchmark(emulator.base_url, scenarios, args.duration, args.processes, args.threads)
    print(
        f"{args.processes} load process(es) x {args.threads} keep-alive connections, "
        f"{args.duration:g} s per scenario, one emulator process"
    )
    print(format_table(rows))
    return 0 if all(row["requests"] > 0 for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
