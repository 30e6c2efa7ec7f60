"""A second naive peer beside python-quickbooks (bench/load.py ``measure_naive``): a
Singer-style target. It batches (30 operations a batch request, QuickBooks' maximum) but
does not pace: its batches go back to back, one at a time, and a 429 is retried with an
exponential backoff, as singer-sdk's REST streams do (``backoff.expo``: 1, 2, 4, ... seconds,
here emulated seconds, at most a minute). Streams go in dependency order, as a target must:
parent customers, then sub-customers (their ParentRef mapped to the parents' new Ids), then
invoices (CustomerRef mapped). Raw HTTP to the emulator (only our JSON writer, for exact money,
as the baseline uses it).

The same payloads as our pipeline sent (captured with limits off by ``capture_payloads``),
into a fresh company of an emulator with QuickBooks' limits on the bench's minute.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import requests

from qbo_devkit.bench import env as bench_env
from qbo_devkit.bench import picture
from qbo_devkit.bench.load import BATCH_ITEMS, count_entities, rate_per_minute, write_window

MAX_TRIES = 12


def streams(payloads: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The captured records as a target's streams, in the order they must go."""
    parents = [p for e, p in payloads if e == "Customer" and "ParentRef" not in p["body"]]
    subs = [p for e, p in payloads if e == "Customer" and "ParentRef" in p["body"]]
    invoices = [p for e, p in payloads if e == "Invoice"]
    return [("Customer", parents), ("Customer", subs), ("Invoice", invoices)]


def backoff_seconds(attempt: int, minute_s: float) -> float:
    """singer-sdk's exponential backoff (1, 2, 4, ... s, at most 60), on the emulated minute."""
    return min(2**attempt, 60) * minute_s / 60


def measure_singer(emu: bench_env.Emulator, payloads: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    # Money as exact JSON numbers (singer-sdk writes Decimals with simplejson), with the same
    # writer as the python-quickbooks baseline.
    from qbo_client.jsonutil import dumps

    limits = emu.limits or {}
    minute = float(limits["minute_seconds"])
    info = emu.process.create_company(region="AU")
    realm = info["realm_id"]
    token = emu.process.issue_tokens(realm)["access_token"]
    url = f"{emu.process.api_url}/company/{realm}/batch"
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json", "Content-Type": "application/json"}
    ids: dict[str, str] = {}  # our company's customer Id -> this company's
    retries = failures = batches = 0
    time.sleep(minute * 1.05)  # start in a fresh window, like ours
    since = datetime.now().astimezone()
    wall = time.perf_counter()
    with requests.Session() as session:
        for entity, records in streams(payloads):
            for start in range(0, len(records), BATCH_ITEMS):
                chunk = records[start : start + BATCH_ITEMS]
                items = []
                for i, record in enumerate(chunk):
                    body = dict(record["body"])
                    for ref in ("ParentRef", "CustomerRef"):
                        if ref in body:
                            body[ref] = {"value": ids[str(body[ref]["value"])]}
                    items.append({"bId": str(i), "operation": "create", entity: body})
                for attempt in range(MAX_TRIES):
                    answer = session.post(
                        url,
                        params={"minorversion": "75"},
                        data=dumps({"BatchItemRequest": items}),
                        headers=headers,
                        timeout=60,
                    )
                    if answer.status_code != 429:
                        break
                    retries += 1
                    time.sleep(backoff_seconds(attempt, minute))
                answer.raise_for_status()
                batches += 1
                for item in answer.json().get("BatchItemResponse", []):
                    record = chunk[int(item["bId"])]
                    if entity in item:
                        if entity == "Customer":
                            ids[str(record["id"])] = str(item[entity]["Id"])
                    else:
                        failures += 1
    wall = time.perf_counter() - wall
    window = write_window(emu, realm, since)
    held = count_entities(emu, realm)
    writes = held["Customer"] + held["Invoice"]
    rate = rate_per_minute(writes, BATCH_ITEMS, window["first"], window["last"], minute) if window["first"] else 0.0
    stats = emu.process.stats(realm)
    return {
        "series": picture.series(emu.process.requests_log(realm), since, writes, minute),
        "label": "Singer-style target: batches of 30 back to back, 429s retried",
        "writes": writes,
        "batch_requests": batches,
        "load_seconds": round((window["last"] - window["first"]).total_seconds(), 3) if window["first"] else None,
        "writes_per_emulated_minute": round(rate, 1),
        "of_batch_ceiling": round(rate / (BATCH_ITEMS * limits["batches_per_minute"]), 3),
        "throttled_429": stats["throttled"],
        "retries_after_429": retries,
        "failed_records": failures,
        "wall_s": round(wall, 3),
    }


def run_singer(url: str, sizes: Any, results: dict[str, Any]) -> None:
    """The ``singer`` section: our payloads for ``sizes.singer_invoices`` invoices (captured
    with limits off), sent the Singer way; our ratio to it (and to python-quickbooks, when
    the baseline ran) from the throughput section of the same bench run."""
    from qbo_devkit.bench import fleet
    from qbo_devkit.bench import load as bench_load

    with bench_env.emulator(None) as emu, bench_env.app_connection(emu, bench_env.UNLIMITED_BUDGET):
        payloads = bench_load.capture_payloads(url, emu, invoices=sizes.singer_invoices)
    with bench_env.emulator(fleet.limits(sizes.minute_seconds)) as emu:
        got = measure_singer(emu, payloads)
    got["invoices"] = sizes.singer_invoices
    ours = (results.get("throughput") or {}).get("writes_per_emulated_minute")
    got["ours_over_singer"] = ratio(ours, got["writes_per_emulated_minute"])
    got["ours_over_naive"] = ratio(ours, (results.get("baseline") or {}).get("writes_per_emulated_minute"))
    results["singer"] = got


def ratio(ours: float | None, theirs: float | None) -> float | None:
    """Our rate over a peer's (None when either was not measured)."""
    return round(ours / theirs, 2) if ours and theirs else None


def markdown(singer: dict[str, Any] | None) -> list[str]:
    if not singer:
        return []
    lines = [
        "",
        "## A Singer-style peer (batches of 30 back to back, no pacing, 429s retried with backoff)",
        "",
        "| loader | invoices | writes | batch requests | seconds | writes / emulated min | of batch ceiling 1,200 "
        "| 429s | retries | failed |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {singer['label']} | {singer['invoices']:,} | {singer['writes']:,} | {singer['batch_requests']:,} "
        f"| {singer['load_seconds']} | {singer['writes_per_emulated_minute']:,.0f} | {singer['of_batch_ceiling']:.3f} "
        f"| {singer['throttled_429']} | {singer['retries_after_429']} | {singer['failed_records']} |",
        "",
        f"Ours / Singer-style: **x{singer.get('ours_over_singer') or '-'}**; ours / python-quickbooks: "
        f"**x{singer.get('ours_over_naive') or '-'}** (ours: the throughput section of this run).",
    ]
    return lines
