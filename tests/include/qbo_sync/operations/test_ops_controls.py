"""Resync, exclude and include on a real database, without Airflow."""

from __future__ import annotations

from datetime import timedelta

import pytest

from qbo_sync import outcomes
from qbo_sync.operations import controls
from qbo_sync.operations.controls import ActionRefused


def log(db, run_id, source_id, status, entity="invoice", ref=None):
    outcomes.record(
        db,
        outcomes.RunContext("qbo_sync", run_id, "sync"),
        outcomes.Outcome(
            tenant_id=1,
            entity=entity,
            source_id=source_id,
            source_ref=ref or f"INV-{source_id:04d}",
            action="create",
            status=status,
            cause="c" if status == "failed" else None,
            fix="f" if status == "failed" else None,
        ),
    )


def stage(db, run_id, source_id, reason="retry", entity="invoice"):
    db.execute(
        "INSERT INTO qbo_sync.run_items (run_id, tenant_id, entity, source_id, reason) VALUES (%s, 1, %s, %s, %s)",
        (run_id, entity, source_id, reason),
    )


def status(db, source_id, entity="invoice"):
    return db.execute(
        "SELECT status FROM qbo_sync.record_status WHERE tenant_id = 1 AND entity = %s AND source_id = %s",
        (entity, source_id),
    ).fetchone()[0]


def requested(db):
    return {
        r[0] for r in db.execute("SELECT source_id FROM qbo_sync.record_controls WHERE resync_requested_at IS NOT NULL")
    }


@pytest.fixture
def history(db):
    # 1 synced, 2 and 3 failed (3 synced earlier, then failed), customer 7 failed.
    log(db, "r1", 1, "synced")
    log(db, "r1", 2, "failed")
    log(db, "r1", 3, "synced")
    log(db, "r2", 3, "failed")
    log(db, "r2", 7, "failed", entity="customer", ref="Jane Smith")
    return db


def test_exclude_then_include_changes_the_status_and_logs_who(history):
    db = history
    done = controls.apply(
        db,
        action="exclude",
        tenant_id=1,
        entity="invoice",
        source_ids=[2, 2],
        requested_by="alice",
        dag_run_id="manual__1",
        note="in books already",
    )
    assert [r.source_id for r in done.changed] == [2] and not done.needs_sync
    assert status(db, 2) == "excluded"
    row = db.execute("SELECT excluded, updated_by, note FROM qbo_sync.record_controls").fetchone()
    assert row == (True, "alice", "exclude by alice (qbo_resync run manual__1): in books already")
    again = controls.apply(db, action="exclude", tenant_id=1, entity="invoice", source_ids=[2], requested_by="bob")
    assert again.changed == [] and [r.source_id for r in again.unchanged] == [2]
    back = controls.apply(db, action="include", tenant_id=1, entity="invoice", source_ids=[2], requested_by="bob")
    assert [r.source_id for r in back.changed] == [2] and status(db, 2) == "failed"
    assert [(a, who) for _, a, who, _, _ in controls.history(db, 1, "invoice", 2)] == [
        ("include", "bob"),
        ("exclude", "alice"),
    ]


def test_an_unknown_record_refuses_the_whole_action(history):
    db = history
    with pytest.raises(ActionRefused, match=r"tenant 1 has no invoice with id 99, 98 in the sync log"):
        controls.apply(
            db, action="exclude", tenant_id=1, entity="invoice", source_ids=[2, 99, 98], requested_by="alice"
        )
    with pytest.raises(ActionRefused, match="tenant 2 has no invoice with id 2"):
        controls.apply(db, action="resync", tenant_id=2, entity="invoice", source_ids=[2], requested_by="alice")
    with pytest.raises(ActionRefused, match="tenant 1 has no customer with id 2"):
        controls.apply(db, action="resync", tenant_id=1, entity="customer", source_ids=[2], requested_by="alice")
    assert db.execute("SELECT count(*) FROM qbo_sync.record_controls").fetchone() == (0,)
    assert db.execute("SELECT count(*) FROM qbo_sync.record_actions").fetchone() == (0,)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"action": "delete", "entity": "invoice", "source_ids": [2]}, "unknown action 'delete'"),
        ({"action": "resync", "entity": "bill", "source_ids": [2]}, "unknown entity 'bill'"),
        ({"action": "resync", "entity": "invoice", "source_ids": []}, "needs the ids"),
        ({"action": "resync", "entity": "invoice", "source_ids": ["INV-2"]}, "'INV-2' is not a record id"),
    ],
)
def test_malformed_requests_are_refused(history, kwargs, message):
    with pytest.raises(ActionRefused, match=message):
        controls.apply(history, tenant_id=1, requested_by="alice", **kwargs)


def test_resync_of_an_excluded_record_is_refused_until_included(history):
    db = history
    controls.apply(db, action="exclude", tenant_id=1, entity="invoice", source_ids=[3], requested_by="a")
    with pytest.raises(ActionRefused, match=r"INV-0003 \(id 3\) is excluded .* Include it first"):
        controls.apply(db, action="resync", tenant_id=1, entity="invoice", source_ids=[1, 3], requested_by="a")
    assert requested(db) == set()
    done = controls.apply(db, action="resync", tenant_id=1, entity="invoice", source_ids=[1], requested_by="a")
    assert done.needs_sync and requested(db) == {1}  # a synced record may be sent again


def test_resync_failed_flags_latest_failures_that_are_not_excluded(history):
    db = history
    controls.apply(db, action="exclude", tenant_id=1, entity="invoice", source_ids=[2], requested_by="a")
    done = controls.apply(db, action="resync_failed", tenant_id=1, requested_by="a")
    assert {(r.entity, r.source_id) for r in done.changed} == {("invoice", 3), ("customer", 7)}
    assert requested(db) == {3, 7}
    only = controls.apply(db, action="resync_failed", tenant_id=1, entity="customer", requested_by="a")
    assert [(r.entity, r.source_id) for r in only.changed] == [("customer", 7)]
    assert "nothing failed" in controls.render(
        controls.apply(db, action="resync_failed", tenant_id=9, requested_by="a").as_dict()
    )


def test_including_drops_a_pending_resync_request_made_before_the_exclusion(history):
    db = history
    controls.apply(db, action="resync", tenant_id=1, entity="invoice", source_ids=[2], requested_by="a")
    controls.apply(db, action="exclude", tenant_id=1, entity="invoice", source_ids=[2], requested_by="a")
    controls.apply(db, action="include", tenant_id=1, entity="invoice", source_ids=[2], requested_by="a")
    assert requested(db) == set()


def test_a_request_is_cleared_only_when_a_later_staged_run_synced_the_record(history):
    db = history
    controls.apply(db, action="resync", tenant_id=1, entity="invoice", source_ids=[1, 2, 3], requested_by="a")
    # Run r3 staged all three after the request: 1 synced, 2 failed again, 3 not yet logged.
    for sid in (1, 2, 3):
        stage(db, "r3", sid, reason="resync")
    log(db, "r3", 1, "synced")
    log(db, "r3", 2, "failed")
    assert controls.clear_honoured_resyncs(db, "r3") == [(1, "invoice", 1, "synced")]
    assert requested(db) == {2, 3}
    assert controls.clear_honoured_resyncs(db, "r3") == []  # safe to call again
    # A request made after the run staged the record is not cleared by that run.
    db.execute(
        "UPDATE qbo_sync.run_items SET created_at = created_at - %s WHERE run_id = 'r3'", (timedelta(minutes=5),)
    )
    log(db, "r3", 3, "synced")
    assert controls.clear_honoured_resyncs(db, "r3") == []
    assert requested(db) == {2, 3}


def test_the_summary_says_what_was_done_to_which_records(history):
    db = history
    done = controls.apply(db, action="resync", tenant_id=1, entity="invoice", source_ids=[2, 3], requested_by="alice")
    text = controls.render(done.as_dict(), triggered_run_id="resync__manual__1")
    assert "requested by: alice" in text and "2 record(s) flagged for resync:" in text
    assert "INV-0002" in text and "INV-0003" in text
    assert "qbo_sync run resync__manual__1 was started" in text
    later = controls.render(done.as_dict(), sync_now=False)
    assert "next scheduled qbo_sync run sends them" in later
    refused = controls.render(
        {"action": "exclude", "tenant_id": 1, "requested_by": "bob"}, refused="tenant 1 has no invoice with id 99"
    )
    assert "REFUSED - nothing was changed" in refused and "id 99" in refused
