"""Payments go over batches and plain requests side by side (issue 19), as the load does: a
run with more payments than the batches carry in a minute posts each exactly once under the
emulator's enforced limits, with no 429; a plain payment whose answer was lost is looked up
by customer and date (our tag) and linked, never posted again."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs

import pytest

from qbo_sync.pipeline import run_once
from support.limited import LIMITS, limited_emulator, room_for_plain_requests
from support.rows import app_payment
from support.runs import full_window, logged
from support.scenario import build_au_tenant
from support.small_tenant import small_tenant

PAYMENTS = 150
CLIENTS = 10
REPLAYS = 3  # the test connection's max_tries is 4: the first attempt and 3 replays


@pytest.fixture
def limited_qbo(monkeypatch):
    with limited_emulator(monkeypatch) as emu:
        yield emu


def _payment_posts(sent: list[dict]) -> list[dict]:
    """Plain creates of a Payment (a batch request's path is /batch)."""
    return [r for r in sent if r["method"] == "POST" and r["path"].endswith("/payment")]


def _tagged(client) -> list[str]:
    return [
        row["PrivateNote"].split("]", 1)[0] + "]"
        for row in client.query("select * from Payment")
        if "[qbo-sync payment " in (row.get("PrivateNote") or "")
    ]


def test_payments_larger_than_the_batch_ceiling_use_both_paths_exactly_once(db, database_url, limited_qbo):
    from qbo_sync.companies import client_for_tenant

    factory = lambda tid: client_for_tenant(database_url, tid)  # noqa: E731
    company = small_tenant(db, limited_qbo, 1, {n: None for n in range(1, CLIENTS + 1)})
    realm = company["realm_id"]
    run_once(db, full_window("r1"), factory)  # customers and invoices first
    now = datetime.now(UTC)
    for pid in range(1, PAYMENTS + 1):  # 15 payments of 0.50 on each 110.00 invoice: none overpays
        app_payment(db, pid, paid_at=now, invoice_id=101 + pid % CLIENTS, amount="0.50", reference=f"CARD-{pid}")
    before = len(limited_qbo.requests_log(realm))

    run_once(db, full_window("r2"), factory)

    sent = limited_qbo.requests_log(realm)[before:]
    plain = _payment_posts(sent)
    assert 30 * LIMITS["batches_per_minute"] < PAYMENTS  # more than the batches alone carry a minute
    # Both paths carried payments: the plain ones, and whole batches of 30 for the rest.
    assert plain and all(r["status"] == 200 for r in plain)
    batched = PAYMENTS - len(plain)
    assert batched > 0 and batched % 30 == 0
    batches = [r for r in sent if r["method"] == "POST" and r["path"].endswith("/batch")]
    assert len([r for r in batches if r["status"] == 200]) >= batched // 30
    assert limited_qbo.stats(realm)["throttled"] == 0
    # Each plain request carries a requestid of its own (a replay would reuse it).
    rids = [parse_qs(r["query"]).get("requestid", [""])[0] for r in plain]
    assert all(rids) and len(set(rids)) == len(rids)
    # Every payment exactly once in QuickBooks, and synced once in the sync log.
    with factory(1) as client:
        tags = _tagged(client)
    assert sorted(tags) == sorted(f"[qbo-sync payment {pid}]" for pid in range(1, PAYMENTS + 1))
    statuses = db.execute(
        "SELECT status, count(*) FROM qbo_sync.sync_log WHERE run_id = 'r2' AND entity = 'payment' GROUP BY status"
    ).fetchall()
    assert statuses == [("synced", PAYMENTS)]
    mapped = db.execute(
        "SELECT count(DISTINCT qbo_id) FROM qbo_sync.entity_map WHERE tenant_id = 1 AND entity = 'payment'"
    ).fetchone()[0]
    assert mapped == PAYMENTS


def test_a_plain_payment_whose_answer_was_lost_is_looked_up_not_posted_again(db, database_url, qbo_app, monkeypatch):
    from qbo_sync.companies import client_for_tenant

    # Room for plain requests beside the batches: a single payment goes as a plain request.
    room_for_plain_requests(monkeypatch, qbo_app)
    company, _ = build_au_tenant(db, qbo_app)
    realm = company["realm_id"]
    factory = lambda tid: client_for_tenant(database_url, tid)  # noqa: E731
    run_once(db, full_window("r1"), factory)
    app_payment(db, 101, paid_at=datetime.now(UTC), invoice_id=1, amount="50.00", reference="CARD-0001")
    before = len(qbo_app.requests_log(realm))
    # The first attempt is applied and its answer lost; the replays with its requestid are reset.
    qbo_app.inject_fault(realm, "commit_then_drop", count=1, path_contains="/payment?")
    qbo_app.inject_fault(realm, "reset", count=REPLAYS, path_contains="/payment?")

    run_once(db, full_window("r2"), factory)

    status, note = logged(db, "r2", "payment", 101, "status", "error_message")
    assert status == "synced" and "answer lost; found in QuickBooks" in note
    with factory(1) as client:
        assert _tagged(client) == ["[qbo-sync payment 101]"]
    posts = _payment_posts(qbo_app.requests_log(realm)[before:])
    rids = {parse_qs(r["query"]).get("requestid", [""])[0] for r in posts}
    assert len(posts) == 1 + REPLAYS and len(rids) == 1  # the same request, never a new post
