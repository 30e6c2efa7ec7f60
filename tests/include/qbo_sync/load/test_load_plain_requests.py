"""The load sends plain single-record requests beside its batches (issue 19): a load larger
than the batch ceiling goes over both paths under the emulator's enforced limits, with every
record exactly once in QuickBooks and no 429; a plain request whose answer was lost is looked
up, not posted again; and the load's progress lines count what was done."""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qs

import pytest

from qbo_sync.pipeline import run_once
from support.limited import LIMITS, limited_emulator, room_for_plain_requests
from support.runs import full_window, logged
from support.scenario import add_invoice, build_au_tenant
from support.small_tenant import checkup_invoice, small_tenant

INVOICES = 150
REPLAYS = 3  # the test connection's max_tries is 4: the first attempt and 3 replays


@pytest.fixture
def limited_qbo(monkeypatch):
    with limited_emulator(monkeypatch) as emu:
        yield emu


def _posts(emu, realm: str, tail: str) -> list[dict]:
    return [r for r in emu.requests_log(realm) if r["method"] == "POST" and r["path"].endswith(tail)]


def _progress_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "qbo_sync.load.progress"]


def test_a_load_larger_than_the_batch_ceiling_uses_both_paths_exactly_once(
    db, database_url, limited_qbo, caplog, monkeypatch
):
    from qbo_sync.companies import client_for_tenant
    from qbo_sync.load import progress

    monkeypatch.setattr(progress, "LOG_EVERY_SECONDS", 0.2)
    company = small_tenant(db, limited_qbo, 1, {n: None for n in range(1, 11)})
    for n in range(1, INVOICES - 10 + 1):
        checkup_invoice(db, 1, 5000 + n, number=f"BIG-{n:04d}", client_id=100 + 1 + n % 10)
    realm = company["realm_id"]
    caplog.set_level(logging.INFO, logger="qbo_sync.load.progress")

    run_once(db, full_window("r1"), lambda tid: client_for_tenant(database_url, tid))

    # Both paths carried invoices, and QuickBooks never refused a request.
    batches, plain = _posts(limited_qbo, realm, "/batch"), _posts(limited_qbo, realm, "/invoice")
    assert batches and all(r["status"] == 200 for r in batches)
    assert plain and all(r["status"] == 200 for r in plain)
    assert 30 * LIMITS["batches_per_minute"] < INVOICES  # more than the batches alone carry a minute
    assert limited_qbo.stats(realm)["throttled"] == 0
    # Every invoice exactly once in QuickBooks, and synced once in the sync log.
    with client_for_tenant(database_url, 1) as client:
        numbers = [row["DocNumber"] for row in client.query("select * from Invoice")]
    assert len(numbers) == len(set(numbers)) == INVOICES
    statuses = db.execute(
        "SELECT status, count(*) FROM qbo_sync.sync_log WHERE run_id = 'r1' AND entity = 'invoice' GROUP BY status"
    ).fetchall()
    assert statuses == [("synced", INVOICES)]
    # Plain requests carry a requestid each, never the same twice (a replay would reuse it).
    rids = [parse_qs(r["query"]).get("requestid", [""])[0] for r in plain]
    assert all(rids) and len(set(rids)) == len(rids)

    # The progress lines: customers then invoices, counts that only grow, and the totals.
    lines = _progress_lines(caplog)
    counted = [
        (int(m[1].replace(",", "")), int(m[2].replace(",", "")), m[3])
        for m in (re.match(r"tenant 1: ([\d,]+) of ([\d,]+) (customer|invoice)s \(\d+%\)", line) for line in lines)
        if m
    ]
    invoices = [(done, total) for done, total, entity in counted if entity == "invoice"]
    assert {total for _, total in invoices} == {INVOICES}
    assert [done for done, _ in invoices] == sorted(done for done, _ in invoices)
    assert f"tenant 1: {INVOICES} of {INVOICES} invoices (100%), done" in lines
    assert "tenant 1: 10 of 10 customers (100%), done" in lines
    assert any(
        re.fullmatch(rf"tenant 1: \d+ of {INVOICES} invoices \(\d+%\), [\d,]+/min, ETA \d+ min", line) for line in lines
    ), lines


def test_a_plain_request_whose_answer_was_lost_is_looked_up_not_posted_again(db, database_url, qbo_app, monkeypatch):
    from qbo_sync.companies import client_for_tenant

    # Room for plain requests beside the batches: a single invoice goes as a plain request.
    room_for_plain_requests(monkeypatch, qbo_app)
    company, _ = build_au_tenant(db, qbo_app)
    realm = company["realm_id"]
    factory = lambda tid: client_for_tenant(database_url, tid)  # noqa: E731
    run_once(db, full_window("r1"), factory)
    add_invoice(db, 12, "INV-0012", 4, [("2", "25.00", 1, None, None)])
    before = len(qbo_app.requests_log(realm))
    # The first attempt is applied and its answer lost; the replays with its requestid are reset.
    qbo_app.inject_fault(realm, "commit_then_drop", count=1, path_contains="/invoice")
    qbo_app.inject_fault(realm, "reset", count=REPLAYS, path_contains="/invoice")

    run_once(db, full_window("r2"), factory)

    status, note = logged(db, "r2", "invoice", 12, "status", "error_message")
    assert status == "synced" and "answer was lost" in note
    with factory(1) as client:
        assert len(client.query("select * from Invoice where DocNumber = 'INV-0012'")) == 1
    sent = qbo_app.requests_log(realm)[before:]
    posts = [r for r in sent if r["method"] == "POST" and r["path"].endswith("/invoice")]
    rids = {parse_qs(r["query"]).get("requestid", [""])[0] for r in posts}
    assert len(posts) == 1 + REPLAYS and len(rids) == 1  # the same request, never a new post
    queries = [parse_qs(r["query"]).get("query", [""])[0] for r in sent if r["path"].endswith("/query")]
    assert any("from Invoice where DocNumber in" in q for q in queries)
