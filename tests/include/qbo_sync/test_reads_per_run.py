"""Reads cost money (Intuit meters them per app per month): a tenant with nothing new costs at
most one read per run, its change-data-capture call; every run counts its reads per tenant
(equal to what QuickBooks saw) and the report projects them over a month; an idle tenant's
payments may be read back less often than the DAG runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from qbo_sync import pipeline
from qbo_sync.extract.records import RunWindow
from support.small_tenant import small_tenant


def reads(qbo_app, realm: str) -> list[str]:
    return [
        f"{r['method']} {r['path']}"
        for r in qbo_app.requests_log(realm)
        if r["method"] == "GET" and "/v3/company/" in r["path"]
    ]


def counted(db, run_id: str) -> int:
    return db.execute(
        "SELECT reads FROM qbo_sync.track_runs WHERE run_id = %s AND tenant_id = 1", (run_id,)
    ).fetchone()[0]


def test_a_tenant_with_nothing_new_costs_one_read_and_every_read_is_counted(db, qbo_app, qbo_factory):
    company = small_tenant(db, qbo_app, 1, {1: "a@example.com", 2: None})
    realm = company["realm_id"]
    now = datetime.now(UTC)
    connected = len(reads(qbo_app, realm))  # connecting read the company's facts
    report, _ = pipeline.run_once(db, RunWindow("first", now - timedelta(hours=2), now, full_sync=True), qbo_factory)
    first = reads(qbo_app, realm)
    spent = len(first) - connected
    assert counted(db, "first") == spent > 1  # look-ups, company facts, capture: all counted
    assert f"QuickBooks reads: {spent}" in report
    later = now + timedelta(hours=1)
    report, _ = pipeline.run_once(db, RunWindow("idle", now, later), qbo_factory)
    idle = reads(qbo_app, realm)[len(first) :]
    assert [r.rsplit("/", 1)[1] for r in idle] == ["cdc"] and counted(db, "idle") == 1
    assert "QuickBooks reads this run: 1 for 1 tenant(s)" in report and "720 a month" in report
    # and the cursor moved: the next idle run asks about the last hour again, not the 30 days
    # since the company was connected (which would cost a query on top, every run).
    again = reads(qbo_app, realm)
    pipeline.run_once(db, RunWindow("idle-2", later, later + timedelta(hours=1)), qbo_factory)
    assert [r.rsplit("/", 1)[1] for r in reads(qbo_app, realm)[len(again) :]] == ["cdc"]


def test_an_idle_tenant_is_read_back_only_every_poll_interval(db, qbo_app, qbo_factory, monkeypatch):
    monkeypatch.setenv("QBO_SYNC_IDLE_POLL_MINUTES", "180")
    company = small_tenant(db, qbo_app, 1, {1: None})
    realm = company["realm_id"]
    now = datetime.now(UTC)
    pipeline.run_once(db, RunWindow("busy", now - timedelta(hours=2), now, full_sync=True), qbo_factory)
    assert counted(db, "busy") > 0
    # Nothing has moved for a day and a half: the tenant is idle.
    db.execute("UPDATE qbo_sync.tenant_tracks SET active_at = now() - interval '36 hours'")
    before = len(reads(qbo_app, realm))
    report, _ = pipeline.run_once(db, RunWindow("quiet", now, now + timedelta(hours=1)), qbo_factory)
    assert len(reads(qbo_app, realm)) == before and counted(db, "quiet") == 0
    assert "QuickBooks reads: 0 (" not in report  # no note: the track was done
    skipped = db.execute("SELECT polled FROM qbo_sync.track_runs WHERE run_id = 'quiet'").fetchone()
    assert skipped == (False,)
    # Three hours after its last read, it is read again.
    db.execute("UPDATE qbo_sync.tenant_tracks SET polled_at = now() - interval '181 minutes'")
    pipeline.run_once(db, RunWindow("poll", now, now + timedelta(hours=2)), qbo_factory)
    assert [r.rsplit("/", 1)[1] for r in reads(qbo_app, realm)[before:]] == ["cdc"]
    # An invoice changes in the app: the tenant is active again, and read back every run.
    db.execute("UPDATE billing.invoices SET updated_at = now(), notes = 'changed' WHERE id = 101")
    after = len(reads(qbo_app, realm))
    pipeline.run_once(db, RunWindow("active", now, datetime.now(UTC) + timedelta(minutes=1)), qbo_factory)
    assert "cdc" in [r.rsplit("/", 1)[1] for r in reads(qbo_app, realm)[after:]]
