"""The rule behind "red means new" (issue 18.6), on a real database: which failures are new,
which still wait for finance, and when a fault of a whole tenant is news."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from qbo_sync import outcomes
from qbo_sync.report import verdict
from qbo_sync.report.run import close_run, run_report
from support.rows import insert


def log(db, run_id, source_id, code=None, *, tenant_id=1, entity="invoice", category="data"):
    """One outcome of a record in a run: failed for ``code``, or synced without one."""
    outcome = outcomes.Outcome(
        tenant_id=tenant_id,
        entity=entity,
        source_id=source_id,
        source_ref=f"INV-{source_id:04d}",
        action="create",
        status="failed" if code else "synced",
        error_code=code,
        category=category if code else None,
        cause=f"cause of {code}" if code else None,
        fix=f"fix for {code}" if code else None,
    )
    outcomes.record(db, outcomes.RunContext("qbo_sync", run_id, "sync"), outcome)


def judged(db, run_id) -> dict[tuple[str, int | None], verdict.RecordFailure]:
    return {(f.entity, f.source_id): f for t in verdict.evaluate(db, run_id).tenants.values() for f in t.failures}


@pytest.fixture
def tenant(db):
    insert(db, "billing.tenants", id=1, name="Harbour Physio")
    insert(db, "qbo_sync.tenant_connections", tenant_id=1, realm_id="realm-1")
    return db


def test_a_record_failing_again_for_the_same_cause_waits_and_anything_else_is_new(tenant):
    db = tenant
    log(db, "r1", 1, "no_line_items")
    log(db, "r1", 2, "tax_rate_not_mapped")
    log(db, "r1", 3, "no_line_items")
    log(db, "r1", 4)  # synced
    first = judged(db, "r1")
    assert {k: f.new for k, f in first.items()} == {("invoice", 1): True, ("invoice", 2): True, ("invoice", 3): True}

    log(db, "r2", 1, "no_line_items")  # same cause: still waits for finance
    log(db, "r2", 2, "amounts_do_not_add_up")  # another cause: new
    log(db, "r2", 3)  # fixed and synced
    log(db, "r2", 4, "number_too_long")  # had synced: a failure now is new
    log(db, "r2", 5, "no_line_items", tenant_id=2)  # another tenant's record 5 says nothing of ours
    log(db, "r2", 6, "no_line_items", entity="customer")
    second = judged(db, "r2")
    assert {k: f.new for k, f in second.items()} == {
        ("invoice", 1): False,
        ("invoice", 2): True,
        ("invoice", 4): True,
        ("invoice", 5): True,
        ("customer", 6): True,
    }
    assert second[("invoice", 1)].since == first[("invoice", 1)].since

    log(db, "r3", 1, "no_line_items")
    log(db, "r3", 2, "tax_rate_not_mapped")  # back to its first cause, never synced since: seen before
    log(db, "r3", 3, "no_line_items")  # synced in r2: its old failure does not count
    third = judged(db, "r3")
    assert third[("invoice", 1)].new is False
    assert third[("invoice", 1)].since == first[("invoice", 1)].since  # waiting since the first failure
    assert third[("invoice", 2)].new is False and third[("invoice", 3)].new is True


def test_a_re_run_of_the_same_run_judges_its_records_as_the_first_time(tenant):
    db = tenant
    log(db, "r1", 1, "no_line_items")
    log(db, "r1", 1, "no_line_items")  # the task retried: the run's row is replaced, not added
    assert judged(db, "r1")[("invoice", 1)].new is True
    log(db, "r2", 1, "no_line_items")
    log(db, "r1", 1, "no_line_items")  # r1 cleared and re-run after r2: still r1's first failure
    assert judged(db, "r1")[("invoice", 1)].new is True and judged(db, "r2")[("invoice", 1)].new is False


def test_the_run_is_red_only_for_new_failures_and_counts_those_waiting(tenant):
    db = tenant
    log(db, "r1", 1, "no_line_items")
    log(db, "r1", 2, "no_line_items")
    text, first = close_run(db, "r1")
    assert first.red and first.new_failures == 2 and first.waiting == 0
    assert "Needs eyes now: 2 new failure(s)." in text

    log(db, "r2", 1, "no_line_items")
    log(db, "r2", 2, "no_line_items")
    text, second = close_run(db, "r2")
    today = f"{datetime.now(UTC):%Y-%m-%d}"
    assert not second.red and second.failed == 2 and (second.new_failures, second.waiting) == (0, 2)
    assert f"2 record(s) failed and were not sent (0 new; 2 still wait for finance, since {today})" in text
    assert f"This run: 2 record(s) still wait for finance (since {today}), 0 new failure(s);" in text
    assert second.as_xcom()["waiting_since"] == today and second.as_xcom()["red"] is False
    assert verdict.needs_eyes(second.as_xcom()) is None

    log(db, "r3", 1, "no_line_items")
    log(db, "r3", 2, "no_line_items")
    log(db, "r3", 3, "tax_rate_not_mapped")
    text, third = close_run(db, "r3")
    assert third.red and (third.new_failures, third.waiting) == (1, 2)
    why = verdict.needs_eyes(third.as_xcom())
    assert why.startswith("Needs eyes now: tenant 1: 1 new failure(s): invoice 3 [tax_rate_not_mapped]")
    assert "2 record(s) still wait for finance" in why
    # The command line's report of an old run reads the same verdict.
    assert run_report(db, "r2")[0] == close_run(db, "r2")[0]


def test_a_failed_track_is_red_every_time(tenant):
    db = tenant
    for run_id in ("r1", "r2"):
        log(db, run_id, 1, "quickbooks_unavailable", category="transient")
        insert(db, "qbo_sync.track_runs", run_id=run_id, tenant_id=1, state="failed", note="QuickBooks kept failing")
        _, decided = close_run(db, run_id)
        assert decided.red
        assert decided.tenants[1].fault(verdict.TRACK_FAILED).new
    assert "tenant 1: its track failed (QuickBooks kept failing)" in decided.reasons()


def test_a_reconnect_is_news_once_per_occurrence(tenant):
    db = tenant
    db.execute("UPDATE qbo_sync.tenant_connections SET status = 'reconnect_required', updated_at = now()")
    log(db, "r1", 1, "reconnect_required", category="connection")  # held back, not a failure of its own
    _, first = close_run(db, "r1")
    assert first.red and first.new_failures == 0 and first.held == 1
    assert [f.words() for f in first.tenants[1].new_faults] == ["QuickBooks must be reconnected"]

    log(db, "r2", 1, "reconnect_required", category="connection")
    log(db, "r2", 2, "reconnect_required", category="connection")  # a record first held back now: the same fault
    text, second = close_run(db, "r2")
    assert not second.red and second.held == 2
    assert "Nothing new needs eyes; QuickBooks must be reconnected, reported already (since" in text
    assert close_run(db, "r1")[1].red  # re-running r1 judges it as it was: its news
    assert not close_run(db, "r2")[1].red

    # Reconnected; a run finds the tenant well and closes the fault. Lost again later: news again.
    db.execute("UPDATE qbo_sync.tenant_connections SET status = 'connected', updated_at = now()")
    insert(db, "qbo_sync.track_runs", run_id="r3", tenant_id=1, state="done")
    assert not close_run(db, "r3")[1].red
    assert db.execute("SELECT count(*) FROM qbo_sync.tenant_faults").fetchone() == (0,)
    db.execute("UPDATE qbo_sync.tenant_connections SET status = 'reconnect_required', updated_at = now()")
    assert close_run(db, "r4")[1].red

    # Marked again without a run in between (refused again after a reconnect): a new occurrence.
    db.execute("UPDATE qbo_sync.tenant_connections SET updated_at = now() + interval '1 minute'")
    assert close_run(db, "r5")[1].tenants[1].fault(verdict.RECONNECT).new


def test_blocked_reads_are_news_once_until_blocked_anew(tenant):
    db = tenant
    now = datetime.now(UTC)
    insert(
        db,
        "qbo_sync.read_blocks",
        tenant_id=1,
        realm_id="realm-1",
        blocked_at=now,
        blocked_until=now + timedelta(days=3),
        detail="429",
    )
    for run_id in ("r1", "r2"):
        log(db, run_id, 1, "reads_blocked", category="configuration")
        insert(db, "qbo_sync.track_runs", run_id=run_id, tenant_id=1, state="done")
    assert close_run(db, "r1")[1].red
    _, second = close_run(db, "r2")
    assert not second.red and second.held == 1
    db.execute("UPDATE qbo_sync.read_blocks SET blocked_at = blocked_at + interval '1 hour'")  # blocked anew
    insert(db, "qbo_sync.track_runs", run_id="r3", tenant_id=1, state="done")
    assert close_run(db, "r3")[1].tenants[1].fault(verdict.READS_BLOCKED).new


def test_a_tenant_left_to_another_run_is_not_judged_by_this_one(tenant):
    db = tenant
    db.execute("UPDATE qbo_sync.tenant_connections SET status = 'reconnect_required'")
    insert(db, "qbo_sync.track_runs", run_id="r1", tenant_id=1, state="left", note="held by backfill")
    _, decided = close_run(db, "r1")
    assert decided.tenants == {} and not decided.red
    assert db.execute("SELECT count(*) FROM qbo_sync.tenant_faults").fetchone() == (0,)


def test_what_marks_the_run_failed():
    green = {"red": False, "summary": "3 record(s) still wait for finance (since 2026-11-20), 0 new failure(s)"}
    assert verdict.needs_eyes(green) is None
    why = verdict.needs_eyes(green, ["sync[2]"])
    assert why.startswith("Needs eyes now: task(s) sync[2] failed") and "3 record(s) still wait" in why
    assert "the report task did not finish" in verdict.needs_eyes(None)
    red = {"red": True, "reasons": "tenant 4: QuickBooks must be reconnected", "summary": "..."}
    assert "tenant 4: QuickBooks must be reconnected" in verdict.needs_eyes(red)
