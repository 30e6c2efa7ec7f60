"""Run alerts through a real SMTP conversation (Airflow's SMTP provider) and a real HTTP
webhook: one per run and tenant with problems, none for a clean run, never twice."""

from __future__ import annotations

import json
import threading
from decimal import Decimal

import pytest

from qbo_airflow.notifiers.run_alerts import AlertDeliveryError, send_run_alerts
from qbo_sync import outcomes
from support.rows import insert

RUN = "scheduled__2026-11-23T10:00:00+00:00"


def outcome(db, run_id, tenant_id, source_id, code=None, **context):
    ctx = outcomes.RunContext("qbo_sync", run_id, "sync")
    if code:
        result = outcomes.from_catalog(
            code,
            tenant_id=tenant_id,
            entity="invoice",
            source_id=source_id,
            source_ref=f"INV-{source_id:04d}",
            realm_id=f"realm-{tenant_id}",
            amount=Decimal("110.00"),
            **context,
        )
    else:
        result = outcomes.Outcome(
            tenant_id=tenant_id,
            entity="invoice",
            source_id=source_id,
            source_ref=f"INV-{source_id:04d}",
            action="create",
            status="synced",
            amount=Decimal("50.00"),
        )
    outcomes.record(db, ctx, result)


@pytest.fixture
def tenants(db):
    for tid, name, status in [
        (1, "Harbour Physio", "connected"),
        (2, "Bondi Allied", "connected"),
        (3, "Manly Sports", "reconnect_required"),
    ]:
        insert(db, "billing.tenants", id=tid, name=name)
        insert(db, "qbo_sync.tenant_connections", tenant_id=tid, realm_id=f"realm-{tid}", status=status)
    return db


@pytest.fixture
def channels(monkeypatch, smtp_sink, http_receiver):
    monkeypatch.setenv("QBO_SYNC_ALERT_EMAIL_TO", "finance@example.com, ops@example.com")
    monkeypatch.setenv(
        "AIRFLOW_CONN_SMTP_DEFAULT",
        json.dumps(
            {
                "conn_type": "smtp",
                "host": "127.0.0.1",
                "port": smtp_sink.server_address[1],
                "extra": {
                    "disable_tls": True,
                    "disable_ssl": True,
                    "from_email": "qbo-sync@example.com",
                    "retry_limit": 0,
                    "timeout": 5,
                },
            }
        ),
    )
    monkeypatch.setenv(
        "AIRFLOW_CONN_QBO_SYNC_ALERT_WEBHOOK",
        json.dumps(
            {
                "conn_type": "http",
                "host": f"http://127.0.0.1:{http_receiver.server_address[1]}/hooks/T0KEN",
                "password": "hook-secret",
            }
        ),
    )
    monkeypatch.setenv("QBO_SYNC_UI_URL", "http://airflow.example.com/qbo-sync/")
    return smtp_sink, http_receiver


def test_one_alert_per_tenant_with_failures_listing_causes_and_fixes(tenants, channels):
    db = tenants
    smtp, hooks = channels
    outcome(db, RUN, 1, 5, "tax_rate_not_mapped", number="INV-0005", tax_rate="Mystery levy")
    outcome(
        db,
        RUN,
        1,
        8,
        "amounts_do_not_add_up",
        number="INV-0008",
        total="12.00",
        tax_total="1.00",
        expected_total="11.00",
        expected_tax="1.00",
    )
    outcome(db, RUN, 1, 1)
    outcome(db, RUN, 2, 20)  # tenant 2 is clean: it hears nothing

    sent = send_run_alerts(db, RUN)
    # Tenant 3's company must be reconnected: it is told so, though it logged nothing.
    assert sorted((s.tenant_id, s.channel) for s in sent) == [
        (1, "email"),
        (1, "webhook"),
        (3, "email"),
        (3, "webhook"),
    ]
    mails = {m["message"]["Subject"]: m for m in smtp.messages}
    assert set(mails) == {
        "QuickBooks sync: 2 record(s) failed for Harbour Physio (tenant 1)",
        "QuickBooks sync: QuickBooks must be reconnected for Manly Sports (tenant 3)",
    }
    first = mails["QuickBooks sync: 2 record(s) failed for Harbour Physio (tenant 1)"]
    assert first["to"] == ["finance@example.com", "ops@example.com"]
    assert first["from"] == "qbo-sync@example.com"
    body = first["message"].get_payload()[0].get_payload(decode=True).decode()
    assert "uses the tax rate &#x27;Mystery levy&#x27;" in body and "map-tax --tenant-id 1" in body
    assert "INV-0008" in body and "12.00" in body
    # The link opens tenant 1's own view of the page (which the tenant access map guards).
    assert "href='http://airflow.example.com/qbo-sync/?tenant_id=1'" in body
    third = mails["QuickBooks sync: QuickBooks must be reconnected for Manly Sports (tenant 3)"]
    assert "companies authorize --tenant-id 3" in third["message"].get_payload()[0].get_payload(decode=True).decode()

    by_tenant = {h["json"]["tenant_id"]: h for h in hooks.received}
    assert set(by_tenant) == {1, 3}
    hook = by_tenant[1]
    assert hook["path"] == "/hooks/T0KEN" and hook["headers"]["Authorization"] == "Bearer hook-secret"
    assert hook["json"]["failed"] == 2 and hook["json"]["reconnect_required"] is False
    assert [(f["source_id"], f["code"], f["amount"]) for f in hook["json"]["failures"]] == [
        (5, "tax_rate_not_mapped", "110.00"),
        (8, "amounts_do_not_add_up", "110.00"),
    ]
    assert all(f["cause"] and f["fix"] for f in hook["json"]["failures"])
    assert by_tenant[3]["json"]["reconnect_required"] is True
    assert by_tenant[3]["json"]["page_url"] == "http://airflow.example.com/qbo-sync/?tenant_id=3"

    # What was sent is recorded, without the webhook's path or token.
    rows = db.execute(
        "SELECT tenant_id, channel, failed, reconnect, destination FROM qbo_sync.alerts_sent ORDER BY 1, 2"
    ).fetchall()
    port = hooks.server_address[1]
    assert rows == [
        (1, "email", 2, False, "finance@example.com, ops@example.com"),
        (1, "webhook", 2, False, f"http://127.0.0.1:{port}"),
        (3, "email", 0, True, "finance@example.com, ops@example.com"),
        (3, "webhook", 0, True, f"http://127.0.0.1:{port}"),
    ]

    # A retried report task, or a second call, sends nothing more.
    assert send_run_alerts(db, RUN) == []
    assert len(smtp.messages) == 2 and len(hooks.received) == 2


def test_a_clean_run_sends_nothing(tenants, channels):
    db = tenants
    smtp, hooks = channels
    db.execute("UPDATE qbo_sync.tenant_connections SET status = 'connected'")
    outcome(db, RUN, 1, 1)
    outcome(db, RUN, 2, 20)
    assert send_run_alerts(db, RUN) == []
    assert smtp.messages == [] and hooks.received == []
    assert db.execute("SELECT count(*) FROM qbo_sync.alerts_sent").fetchone() == (0,)


def test_a_failed_channel_is_retried_alone_and_its_error_names_no_secret(tenants, channels):
    db = tenants
    smtp, hooks = channels
    db.execute("UPDATE qbo_sync.tenant_connections SET status = 'connected'")
    outcome(db, RUN, 1, 3, "no_line_items", number="INV-0003")
    hooks.answers.append(500)
    with pytest.raises(AlertDeliveryError) as refused:
        send_run_alerts(db, RUN)
    assert "tenant 1 webhook" in str(refused.value) and "HTTP 500" in str(refused.value)
    assert "T0KEN" not in str(refused.value) and "hook-secret" not in str(refused.value)
    assert len(smtp.messages) == 1  # the e-mail went all the same
    again = send_run_alerts(db, RUN)
    assert [(s.tenant_id, s.channel) for s in again] == [(1, "webhook")]
    assert len(smtp.messages) == 1 and len(hooks.received) == 2


def test_concurrent_senders_deliver_once(tenants, channels, database_url):
    from qbo_sync.db.connection import connect

    smtp, hooks = channels
    db = tenants
    db.execute("UPDATE qbo_sync.tenant_connections SET status = 'connected'")
    outcome(db, RUN, 1, 3, "no_line_items", number="INV-0003")
    results, start = [], threading.Barrier(2)

    def worker():
        with connect(database_url, autocommit=True) as conn:
            start.wait()
            results.append(send_run_alerts(conn, RUN))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    # Each channel is claimed on its own: the two senders may split the channels between
    # them, but together they send each exactly once.
    assert len(results) == 2 and sum(len(r) for r in results) == 2
    assert len(smtp.messages) == 1 and len(hooks.received) == 1


def test_blocked_reads_are_said_once_not_per_record(tenants, channels):
    db = tenants
    smtp, _hooks = channels
    for source_id in (31, 32, 33):
        outcome(db, RUN, 2, source_id, "reads_blocked", blocked_until="1 Dec 2026 00:00 UTC")
    outcome(db, RUN, 2, 34, "tax_rate_not_mapped", number="INV-0034", tax_rate="Mystery levy")
    send_run_alerts(db, RUN)
    mails = {m["message"]["Subject"]: m for m in smtp.messages}
    subject = (
        "QuickBooks sync: 1 record(s) failed and QuickBooks blocks its reads this month for Bondi Allied (tenant 2)"
    )
    assert subject in mails
    body = mails[subject]["message"].get_payload()[0].get_payload(decode=True).decode()
    assert body.count("CorePlus") == 1 and "3 record(s) wait" in body and "1 Dec 2026 00:00 UTC" in body
    assert "INV-0034" in body and "INV-0031" not in body


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirecting_webhook_is_a_failed_delivery_and_is_not_followed(tenants, channels, status):
    """Issue 16.3: a 307/308 would re-send the payload and the secret headers elsewhere, a
    302/303 would become a body-less GET counted as delivered. Neither is followed."""
    db = tenants
    _smtp, hooks = channels
    db.execute("UPDATE qbo_sync.tenant_connections SET status = 'connected'")
    outcome(db, RUN, 1, 3, "no_line_items", number="INV-0003")
    hooks.answers.append((status, "/elsewhere/steal"))
    with pytest.raises(AlertDeliveryError) as refused:
        send_run_alerts(db, RUN)
    message = str(refused.value)
    assert f"HTTP {status} (a redirect)" in message and "not followed" in message
    assert "T0KEN" not in message and "hook-secret" not in message
    assert [h["path"] for h in hooks.received] == ["/hooks/T0KEN"]  # nothing reached /elsewhere
    # Not counted as delivered: the webhook's claim was rolled back, a retry sends it again.
    assert db.execute("SELECT channel FROM qbo_sync.alerts_sent ORDER BY 1").fetchall() == [("email",)]
    again = send_run_alerts(db, RUN)
    assert [(s.tenant_id, s.channel) for s in again] == [(1, "webhook")]
    assert [h["path"] for h in hooks.received] == ["/hooks/T0KEN", "/hooks/T0KEN"]


def test_a_tenant_name_with_cr_lf_still_gets_its_e_mail_with_one_subject_line(tenants, channels):
    """Issue 16.3: control characters in a tenant name (or run id) never reach a mail header."""
    db = tenants
    smtp, _hooks = channels
    db.execute("UPDATE qbo_sync.tenant_connections SET status = 'connected'")
    db.execute(
        "UPDATE billing.tenants SET name = %s WHERE id = 1",
        ("Harbour\r\nBcc: victim@example.com\r\n\r\nPhysio\x1b[31m\u2028x",),
    )
    run = "manual__evil\r\nX-Injected: yes"
    outcome(db, run, 1, 3, "no_line_items", number="INV-0003")
    sent = send_run_alerts(db, run)
    assert sorted(s.channel for s in sent) == ["email", "webhook"]
    (mail,) = smtp.messages
    message = mail["message"]
    assert message["Subject"] == (
        "QuickBooks sync: 1 record(s) failed for Harbour Bcc: victim@example.com Physio [31m x (tenant 1)"
    )
    assert message["X-QBO-Sync-Run"] == "manual__evil X-Injected: yes"
    assert message["Bcc"] is None and message["X-Injected"] is None
    assert mail["to"] == ["finance@example.com", "ops@example.com"]


def test_hostile_strings_in_every_field_of_the_e_mail_come_out_escaped(tenants, channels):
    """Issue 16.9: the alert e-mail's HTML carries tenant names, numbers, clients, causes,
    fixes and the run id as text, whatever markup they hold; the subject stays one line."""
    from html import escape

    db = tenants
    smtp, hooks = channels
    hostile = "<script>alert('{0}')</script><img src=x onerror=\"{0}\">&amp;"
    db.execute("UPDATE qbo_sync.tenant_connections SET status = 'connected'")
    db.execute("UPDATE billing.tenants SET name = %s WHERE id = 1", (hostile.format("tenant"),))
    run = hostile.format("run")
    ctx = outcomes.RunContext("qbo_sync", run, "load_invoices")
    outcomes.record(
        db,
        ctx,
        outcomes.Outcome(
            tenant_id=1,
            entity="invoice",
            source_id=5,
            source_ref=hostile.format("ref"),
            action="create",
            status="failed",
            error_code="tax_rate_not_mapped",
            category="data",
            cause=hostile.format("cause"),
            fix=hostile.format("fix"),
            amount=Decimal("110.00"),
        ),
    )
    send_run_alerts(db, run)
    (mail,) = smtp.messages
    body = mail["message"].get_payload()[0].get_payload(decode=True).decode()
    for name in ("tenant", "run", "ref", "cause", "fix"):
        assert escape(hostile.format(name)) in body, name
    assert "<script" not in body and "<img" not in body
    assert "\n" not in mail["message"]["Subject"] and "(tenant 1)" in mail["message"]["Subject"]
    # The webhook carries them as JSON data, unchanged.
    (hook,) = hooks.received
    assert hook["json"]["tenant_name"] == hostile.format("tenant")
    assert hook["json"]["failures"][0]["cause"] == hostile.format("cause")
