"""Tenant tracks: one tenant's outage holds back nobody and every one of its records says why;
one run at a time works on a tenant; a run that must leave a tenant loses none of its changes;
a backfill run waits for its tenant; a finished track is not run twice in one run; a track
taken over from a run that died looks every record up before posting it."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import pytest

from qbo_sync import pipeline
from qbo_sync.companies import client_for_tenant
from qbo_sync.db.connection import connect
from qbo_sync.extract.records import RunWindow
from qbo_sync.outcomes import RunContext
from qbo_sync.tracks import lease
from support.small_tenant import small_tenant

NOW = datetime.now(UTC)


def synced_invoices(db, run_id: str) -> set[int]:
    return {
        r[0]
        for r in db.execute(
            "SELECT source_id FROM qbo_sync.sync_log WHERE run_id = %s AND entity = 'invoice' AND status = 'synced'",
            (run_id,),
        )
    }


def invoice_count(qbo_factory, tenant_id: int) -> int:
    with qbo_factory(tenant_id) as client:
        return client.count("select count(*) from Invoice")


def test_a_tenant_whose_quickbooks_is_down_holds_back_nobody_and_each_record_says_why(db, qbo_app, database_url):
    small_tenant(db, qbo_app, 1, {1: None, 2: None})
    down = small_tenant(db, qbo_app, 2, {1: None, 2: None, 3: None})
    qbo_app.inject_fault(down["realm_id"], "server_error", count=100000, status=503, path_contains="/v3/")
    window = RunWindow("outage", NOW - timedelta(days=2), NOW)
    results = pipeline.sync_shard(
        lambda: connect(database_url, autocommit=True),
        RunContext("qbo_sync", "outage", "sync", 0, 1),
        pipeline.list_tenants(db),
        window,
        lambda _conn: lambda tid: client_for_tenant(database_url, tid),
    )
    by_tenant = {r["tenant_id"]: r for r in results}
    assert "systemic" not in by_tenant[1] and synced_invoices(db, "outage") == {101, 102}
    assert by_tenant[2]["systemic"] and by_tenant[2]["failed"] == 6  # 3 customers, 3 invoices
    staged = db.execute(
        "SELECT entity, source_id FROM qbo_sync.run_items WHERE run_id = 'outage' AND tenant_id = 2 ORDER BY 1, 2"
    ).fetchall()
    explained = db.execute(
        "SELECT entity, source_id, status, category, cause, fix FROM qbo_sync.sync_log"
        " WHERE run_id = 'outage' AND tenant_id = 2 ORDER BY 1, 2"
    ).fetchall()
    assert [(e, s) for e, s, *_ in explained] == staged and len(staged) == 6
    assert all(
        status == "failed" and category == "transient" and cause and fix
        for _, _, status, category, cause, fix in explained
    )
    states = dict(db.execute("SELECT tenant_id, state FROM qbo_sync.tenant_tracks").fetchall())
    assert states == {1: "done", 2: "failed"}

    # QuickBooks is back: the next run sends tenant 2's records (their last outcome failed).
    qbo_app.clear_faults(down["realm_id"])
    later = RunWindow("after-outage", NOW, NOW + timedelta(hours=1))
    pipeline.sync_shard(
        lambda: connect(database_url, autocommit=True),
        RunContext("qbo_sync", "after-outage", "sync", 0, 1),
        pipeline.list_tenants(db),
        later,
        lambda _conn: lambda tid: client_for_tenant(database_url, tid),
    )
    assert synced_invoices(db, "after-outage") == {201, 202, 203}


def test_a_run_that_must_leave_a_tenant_loses_none_of_its_changes(db, qbo_app, qbo_factory):
    small_tenant(db, qbo_app, 1, {1: None})  # invoice 101, changed yesterday
    backfill = RunWindow("a-long-backfill", NOW - timedelta(days=90), NOW - timedelta(days=60), backfill=True)
    assert lease.claim(db, 1, backfill.run_id).ours  # a backfill is working on the tenant
    pipeline.run_once(db, RunWindow("hourly-1", NOW - timedelta(days=2), NOW), qbo_factory)
    assert synced_invoices(db, "hourly-1") == set() and invoice_count(qbo_factory, 1) == 0
    lease.finish(db, 1, backfill, failed=False, staged=True)  # its older window does not cover it
    pipeline.run_once(db, RunWindow("hourly-2", NOW, NOW + timedelta(hours=1)), qbo_factory)
    assert synced_invoices(db, "hourly-2") == {101}  # outside hourly-2's own window: it was owed
    assert db.execute("SELECT pending_from FROM qbo_sync.tenant_tracks").fetchone() == (None,)
    assert invoice_count(qbo_factory, 1) == 1


def test_a_backfill_run_waits_for_its_tenant_and_syncs_its_own_interval(db, qbo_app, qbo_factory, monkeypatch):
    small_tenant(db, qbo_app, 1, {1: None})
    monkeypatch.setattr(lease, "WAIT_POLL_SECONDS", 0.2)
    hourly = RunWindow("hourly", NOW, NOW + timedelta(hours=1))
    assert lease.claim(db, 1, hourly.run_id).ours

    def hourly_ends_soon():
        time.sleep(1.5)
        lease.finish(db, 1, hourly, failed=False, staged=True)

    ender = threading.Thread(target=hourly_ends_soon)
    ender.start()
    pipeline.run_once(db, RunWindow("backfill__day", NOW - timedelta(days=2), NOW, backfill=True), qbo_factory)
    ender.join()
    assert synced_invoices(db, "backfill__day") == {101}


def test_a_finished_track_is_not_run_again_in_the_same_run(db, qbo_app, qbo_factory):
    company = small_tenant(db, qbo_app, 1, {1: None})
    window = RunWindow("once", NOW - timedelta(days=2), NOW)
    pipeline.run_once(db, window, qbo_factory)
    before = len(qbo_app.requests_log(company["realm_id"]))
    tenant = pipeline.list_tenants(db)[0]
    again = pipeline.sync_tenant(db, RunContext("qbo_sync", "once", "sync", None, 2), tenant, window, qbo_factory)
    assert "already synced by this run" in again["left"]
    assert len(qbo_app.requests_log(company["realm_id"])) == before  # not one request
    # Cleared in Airflow (the run's clear count went up): the tenant is synced afresh, and its
    # invoice, unchanged, keeps its outcome and is not sent again.
    cleared = RunWindow("once", window.start, window.end, run_clear=1)
    afresh = pipeline.sync_tenant(db, RunContext("qbo_sync", "once", "sync", None, 3), tenant, cleared, qbo_factory)
    assert "left" not in afresh and len(qbo_app.requests_log(company["realm_id"])) > before
    assert synced_invoices(db, "once") == {101} and invoice_count(qbo_factory, 1) == 1


def test_a_track_taken_over_from_a_dead_run_looks_every_record_up_first(db, qbo_app, qbo_factory):
    company = small_tenant(db, qbo_app, 1, {1: None})
    assert lease.claim(db, 1, "died").ours
    db.execute("UPDATE qbo_sync.tenant_tracks SET heartbeat_at = now() - interval '1 day'")
    pipeline.run_once(db, RunWindow("takes-over", NOW - timedelta(days=2), NOW), qbo_factory)
    queries = [
        parse_qs(r["query"]).get("query", [""])[0]
        for r in qbo_app.requests_log(company["realm_id"])
        if r["path"].endswith("/query")
    ]
    assert any("DocNumber" in q and "INV-101" in q for q in queries)
    assert synced_invoices(db, "takes-over") == {101} and invoice_count(qbo_factory, 1) == 1


@pytest.mark.parametrize(
    "name, value", [("QBO_SYNC_TRACK_LEASE_MINUTES", "soon"), ("QBO_SYNC_TRACK_LEASE_MINUTES", "0")]
)
def test_a_bad_lease_setting_says_what_to_set(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=name):
        lease.lease()


def test_a_full_sync_run_that_must_leave_a_tenant_loses_none_of_its_history(db, qbo_app, qbo_factory):
    """Found by the isolation test: a scheduled run held the tenant when the full-sync run that
    was to send its backlog reached it; the full sync left it, and is owed: the tenant's next
    track is a full sync."""
    small_tenant(db, qbo_app, 1, {1: None, 2: None})  # invoices changed yesterday
    hourly = RunWindow("hourly-holding", NOW - timedelta(hours=1), NOW)
    assert lease.claim(db, 1, hourly.run_id).ours  # an hourly run is working on the tenant
    # A manual full sync (docs/operations.md: send a new tenant's whole history) meets it.
    pipeline.run_once(db, RunWindow("manual-full", NOW, NOW, full_sync=True), qbo_factory)
    lease.finish(db, 1, hourly, failed=False, staged=True)  # the hourly run staged nothing of it
    pipeline.run_once(db, RunWindow("hourly-next", NOW, NOW + timedelta(hours=1)), qbo_factory)
    assert synced_invoices(db, "hourly-next") == {101, 102} and invoice_count(qbo_factory, 1) == 2
    assert db.execute("SELECT pending_full FROM qbo_sync.tenant_tracks").fetchone() == (False,)
