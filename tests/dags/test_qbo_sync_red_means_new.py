"""Red means new (issue 18.6), through real Airflow (dag.test), a real database and the
emulator: a run is marked failed for what needs eyes now, and records still waiting for
finance are counted without failing it; the alerts follow the same rule."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from support.receivers import http_receiver  # noqa: F401 - the alert webhook's far end
from support.scenario import add_invoice, build_au_tenant

ROOT = Path(__file__).resolve().parents[2]
# What the AU scenario plants and keeps failing until finance fixes it (cause code per record).
PLANTED = {
    ("customer", 2): "client_without_name",
    ("customer", 3): "parent_client_not_synced",
    ("invoice", 3): "no_line_items",
    ("invoice", 4): "number_too_long",
    ("invoice", 5): "tax_rate_not_mapped",
    ("invoice", 6): "client_not_synced",
    ("invoice", 8): "amounts_do_not_add_up",
}


@pytest.fixture
def qbo_sync_dag(monkeypatch):
    from airflow.dag_processing.dagbag import DagBag

    # A failed task is retried after a second, not a minute (the DAG reads it when parsed).
    monkeypatch.setenv("QBO_SYNC_RETRY_DELAY_SECONDS", "1")
    return DagBag(dag_folder=str(ROOT / "dags" / "qbo_sync_dag.py")).get_dag("qbo_sync")


@pytest.fixture
def webhook(http_receiver, monkeypatch):  # noqa: F811 - the fixture imported above
    monkeypatch.setenv("QBO_SYNC_ALERT_WEBHOOK_URL", f"http://127.0.0.1:{http_receiver.server_address[1]}/alerts")
    monkeypatch.delenv("QBO_SYNC_ALERT_EMAIL_TO", raising=False)
    return http_receiver


def states(dag_run) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for ti in dag_run.get_task_instances():
        result.setdefault(ti.task_id, []).append(str(ti.state))
    return result


def failed_codes(db, run_id) -> dict[tuple[str, int], str]:
    rows = db.execute(
        "SELECT entity, source_id, error_code FROM qbo_sync.sync_log WHERE run_id = %s AND status = 'failed'",
        (run_id,),
    ).fetchall()
    return {(entity, source_id): code for entity, source_id, code in rows}


def test_an_unfixed_bad_record_leaves_the_next_run_green_and_a_new_one_turns_it_red(
    db, airflow_db, airflow_conns, qbo_sync_dag, webhook, capfd
):
    build_au_tenant(db, airflow_conns)
    today = f"{datetime.now(UTC):%Y-%m-%d}"

    # First run: every planted bad record fails for the first time, so the run is red and
    # the alert lists each of them.
    first = qbo_sync_dag.test(run_conf={"full_sync": True})
    assert states(first)["records_need_attention"] == ["failed"]
    assert str(first.state) == "failed"
    planted = failed_codes(db, first.run_id)
    assert planted == PLANTED
    log = capfd.readouterr().out
    assert f"{len(planted)} new failure(s)" in log and "Needs eyes now" in log
    (alert,) = webhook.received
    assert alert["json"]["failed"] == len(planted) and alert["json"]["still_waiting"] == 0
    assert {(f["entity"], f["source_id"]) for f in alert["json"]["failures"]} == set(planted)

    # Second run, nothing fixed: the same records fail for the same causes. They keep their
    # outcome, stay in the report (marked since when they wait) and on the page, and are
    # counted in the summary; the run is green and nobody is alerted again.
    second = qbo_sync_dag.test(run_conf={"full_sync": True})
    got = states(second)
    assert got["records_need_attention"] == ["success"] and got["report"] == ["success"]
    assert str(second.state) == "success"
    assert failed_codes(db, second.run_id) == planted
    log = capfd.readouterr().out
    assert f"{len(planted)} record(s) still wait for finance (since {today}), 0 new failure(s)" in log
    assert f"[no_line_items] since {today}" in log  # each failure stays in the report's table
    assert "nothing new needs eyes, so the run is not marked failed" in log
    page = dict(
        db.execute(
            "SELECT source_id, status FROM qbo_sync.record_status WHERE tenant_id = 1 AND entity = 'invoice'"
        ).fetchall()
    )
    assert page[3] == page[8] == "failed"  # the page still lists them as failed
    assert len(webhook.received) == 1

    # Third run: one new bad invoice (no lines, like invoice 3, but a record that never
    # failed before). Red again, and the alert lists that record alone, counting the others.
    add_invoice(db, 12, "INV-0012", 4, [])
    third = qbo_sync_dag.test(run_conf={"full_sync": True})
    assert states(third)["records_need_attention"] == ["failed"]
    assert str(third.state) == "failed"
    assert failed_codes(db, third.run_id) == {**planted, ("invoice", 12): "no_line_items"}
    log = capfd.readouterr().out
    assert f"{len(planted)} record(s) still wait for finance (since {today}), 1 new failure(s)" in log
    assert "tenant 1: 1 new failure(s): invoice 12 [no_line_items]" in log  # why the run is red
    assert len(webhook.received) == 2
    alert = webhook.received[1]["json"]
    assert [(f["entity"], f["source_id"], f["code"]) for f in alert["failures"]] == [("invoice", 12, "no_line_items")]
    assert alert["failed"] == 1 and alert["still_waiting"] == len(planted) and alert["waiting_since"] == today
    assert alert["subject"] == "QuickBooks sync: 1 record(s) failed for Harbour Physio (tenant 1)"


def test_a_failed_task_marks_the_run_failed_whatever_its_records(db, airflow_db, airflow_conns, qbo_sync_dag, capfd):
    """Systemic: a task of the run failed (here the tenants task, for an id that is not a
    connected tenant), so nothing was synced and no record failed - the run is red all the same."""
    build_au_tenant(db, airflow_conns)
    run = qbo_sync_dag.test(run_conf={"tenant_ids": [99]})
    got = states(run)
    assert got["tenants"] == ["failed"] and got["report"] == ["success"]
    assert got["records_need_attention"] == ["failed"]
    assert str(run.state) == "failed"
    assert "task(s) tenants failed" in capfd.readouterr().out
