"""Reads cost money (Intuit meters them per app per month): a tenant with nothing new costs at
most one read per run, its change-data-capture call."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from support.small_tenant import small_tenant

from qbo_sync import pipeline
from qbo_sync.extract.records import RunWindow


def reads(qbo_app, realm: str) -> list[str]:
    return [f"{r['method']} {r['path']}" for r in qbo_app.requests_log(realm)
            if r["method"] == "GET" and "/v3/company/" in r["path"]]


def test_a_tenant_with_nothing_new_costs_one_read(db, qbo_app, qbo_factory):
    company = small_tenant(db, qbo_app, 1, {1: "a@example.com", 2: None})
    realm = company["realm_id"]
    now = datetime.now(timezone.utc)
    pipeline.run_once(db, RunWindow("first", now - timedelta(hours=2), now, full_sync=True), qbo_factory)
    before = len(reads(qbo_app, realm))
    later = now + timedelta(hours=1)
    pipeline.run_once(db, RunWindow("idle", now, later), qbo_factory)
    idle = reads(qbo_app, realm)[before:]
    assert [r.rsplit("/", 1)[1] for r in idle] == ["cdc"], idle
    # and the cursor moved: the next idle run asks about the last hour again, not the 30 days
    # since the company was connected (which would cost a query on top, every run).
    again = reads(qbo_app, realm)
    pipeline.run_once(db, RunWindow("idle-2", later, later + timedelta(hours=1)), qbo_factory)
    assert [r.rsplit("/", 1)[1] for r in reads(qbo_app, realm)[len(again):]] == ["cdc"]
