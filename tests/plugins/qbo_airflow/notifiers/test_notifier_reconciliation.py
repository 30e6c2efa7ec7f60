"""An unexplained difference between QuickBooks and the app alerts once, through a real HTTP
webhook: the run that first finds it says so, later runs that find the same stay quiet, a new
difference on the same record alerts again, and explained differences never alert."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qbo_airflow.notifiers.run_alerts import send_run_alerts
from qbo_sync.reconcile import explain, store
from qbo_sync.reconcile.compare import EXPLAINED, Check, Difference
from support.rows import insert


@pytest.fixture
def webhook(db, monkeypatch, http_receiver):
    insert(db, "billing.tenants", id=1, name="Harbour Physio")
    insert(db, "qbo_sync.tenant_connections", tenant_id=1, realm_id="realm-1", status="connected")
    monkeypatch.setenv("QBO_SYNC_ALERT_WEBHOOK_URL", f"http://127.0.0.1:{http_receiver.server_address[1]}/hook")
    monkeypatch.delenv("QBO_SYNC_ALERT_EMAIL_TO", raising=False)
    return http_receiver


def reconciled(db, run_id: str, balance_in_quickbooks: str) -> None:
    voided = Check(
        "invoice", 7, "INV-0007", "70", Decimal("110.00"), [Difference("Balance", "110.00", balance_in_quickbooks)]
    )
    explained = Check("invoice", 8, "INV-0008", "80", Decimal("55.00"), [Difference("Balance", "55.00", "0.00")])
    agree = Check("customer", 1, "Jane Smith", "1", None)
    explain.explain(db, 1, [voided, agree])  # nothing in the sync log: unexplained
    explained.verdict, explained.explanation = EXPLAINED, "sync log: payment P-1 failed (payment_exceeds_balance)"
    store.write(db, run_id, "qbo_reconcile", "full", 1, [voided, explained, agree])
    store.record_run(db, run_id, "qbo_reconcile", "full", 1, state="done", checked=3, differ=2, unexplained=1)


def test_an_unexplained_difference_alerts_once(db, webhook):
    reconciled(db, "day-1", "0.00")
    sent = send_run_alerts(db, "day-1")
    assert [(s.tenant_id, s.channel) for s in sent] == [(1, "webhook")]
    body = webhook.received[-1]["json"]
    assert body["subject"] == (
        "QuickBooks sync: 1 unexplained difference(s) between QuickBooks and the app for Harbour Physio (tenant 1)"
    )
    assert [(d["ref"], d["app_value"], d["qbo_value"]) for d in body["differences"]] == [
        ("INV-0007", "Balance 110.00", "Balance 0.00")
    ]
    assert "Nothing in the sync log explains it" in body["differences"][0]["explanation"]
    # The next day's pass finds the same difference: nobody is told again.
    reconciled(db, "day-2", "0.00")
    assert send_run_alerts(db, "day-2") == []
    assert len(webhook.received) == 1
    # A new difference on the same record (QuickBooks changed again) is news.
    reconciled(db, "day-3", "20.00")
    assert [s.channel for s in send_run_alerts(db, "day-3")] == ["webhook"]
    assert webhook.received[-1]["json"]["differences"][0]["qbo_value"] == "Balance 20.00"


def test_without_a_channel_nothing_is_remembered_as_alerted(db, webhook, monkeypatch):
    monkeypatch.delenv("QBO_SYNC_ALERT_WEBHOOK_URL")
    monkeypatch.setenv("QBO_SYNC_ALERT_WEBHOOK_CONN_ID", "no_such_connection")
    reconciled(db, "day-1", "0.00")
    assert send_run_alerts(db, "day-1") == []
    assert db.execute("SELECT count(*) FROM qbo_sync.reconciliation_alerts").fetchone()[0] == 0
