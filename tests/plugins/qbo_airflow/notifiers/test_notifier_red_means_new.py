"""Alerts follow "red means new" (issue 18.6): a record still failing for the cause an earlier
alert gave, an old reconnect or an old block of reads is not alerted again; what is new is,
with the records still waiting counted. Through a real HTTP webhook."""

from __future__ import annotations

import pytest

from qbo_airflow.notifiers.run_alerts import send_run_alerts
from qbo_sync import outcomes
from qbo_sync.report.run import close_run
from support.rows import insert


def failed(db, run_id, tenant_id, source_id, code, category="data"):
    outcomes.record(
        db,
        outcomes.RunContext("qbo_sync", run_id, "sync"),
        outcomes.Outcome(
            tenant_id=tenant_id,
            entity="invoice",
            source_id=source_id,
            source_ref=f"INV-{source_id:04d}",
            action="create",
            status="failed",
            error_code=code,
            category=category,
            cause=f"cause of {code}",
            fix=f"fix for {code}",
        ),
    )


@pytest.fixture
def hooks(db, http_receiver, monkeypatch):
    monkeypatch.delenv("QBO_SYNC_ALERT_EMAIL_TO", raising=False)
    monkeypatch.setenv("QBO_SYNC_ALERT_WEBHOOK_URL", f"http://127.0.0.1:{http_receiver.server_address[1]}/a")
    for tid, name in [(1, "Harbour Physio"), (3, "Manly Sports")]:
        insert(db, "billing.tenants", id=tid, name=name)
        insert(db, "qbo_sync.tenant_connections", tenant_id=tid, realm_id=f"realm-{tid}")
    return http_receiver


def run(db, run_id):
    """The end of a run as the DAG does it: the report decides, then the alerts go."""
    close_run(db, run_id)
    return [(s.tenant_id, s.failed, s.reconnect) for s in send_run_alerts(db, run_id)]


def test_an_unfixed_record_is_alerted_once_and_a_new_one_with_the_others_counted(db, hooks):
    failed(db, "r1", 1, 5, "tax_rate_not_mapped")
    assert run(db, "r1") == [(1, 1, False)]
    failed(db, "r2", 1, 5, "tax_rate_not_mapped")
    assert run(db, "r2") == []  # still failing for the same cause: said already
    failed(db, "r3", 1, 5, "tax_rate_not_mapped")
    failed(db, "r3", 1, 6, "no_line_items")
    assert run(db, "r3") == [(1, 1, False)]
    body = hooks.received[-1]["json"]
    assert [f["source_id"] for f in body["failures"]] == [6]
    assert body["still_waiting"] == 1 and body["waiting_since"]
    assert len(hooks.received) == 2


def test_a_lost_connection_is_alerted_once_until_it_is_lost_again(db, hooks):
    db.execute("UPDATE qbo_sync.tenant_connections SET status = 'reconnect_required' WHERE tenant_id = 3")
    failed(db, "r1", 3, 7, "reconnect_required", category="connection")
    assert run(db, "r1") == [(3, 1, True)]
    failed(db, "r2", 3, 7, "reconnect_required", category="connection")
    failed(db, "r2", 3, 8, "reconnect_required", category="connection")  # held back too: same fault
    assert run(db, "r2") == []
    # Reconnected, then refused again: a new occurrence, alerted.
    db.execute("UPDATE qbo_sync.tenant_connections SET updated_at = now() + interval '1 minute' WHERE tenant_id = 3")
    assert run(db, "r3") == [(3, 0, True)]
    assert hooks.received[-1]["json"]["reconnect_required"] is True


def test_blocked_reads_are_alerted_once(db, hooks):
    for run_id in ("r1", "r2"):
        for source_id in (31, 32):
            failed(db, run_id, 1, source_id, "reads_blocked", category="configuration")
    assert run(db, "r1") == [(1, 2, False)]
    assert "QuickBooks blocks its reads this month" in hooks.received[0]["json"]["subject"]
    assert run(db, "r2") == []
