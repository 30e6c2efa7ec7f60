"""The qbo_reconcile DAG under real Airflow (dag.test), a real database and the emulator: the
daily full pass compares every synced record with QuickBooks, within the company's budget,
and leaves a tenant a sync run is working on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from qbo_sync.extract.records import RunWindow
from qbo_sync.pipeline import run_once
from support.scenario import build_au_tenant

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def qbo_reconcile_dag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags" / "qbo_reconcile.py")).get_dag("qbo_reconcile")


def states(dag_run) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for ti in dag_run.get_task_instances():
        result.setdefault(ti.task_id, []).append(str(ti.state))
    return result


def test_the_daily_pass_compares_every_synced_record(db, airflow_db, airflow_conns, qbo_reconcile_dag, qbo_factory):
    build_au_tenant(db, airflow_conns)
    now = datetime.now(UTC)
    run_once(db, RunWindow("sync-1", now - timedelta(hours=1), now, full_sync=True), qbo_factory)
    synced = db.execute(
        "SELECT count(*) FROM qbo_sync.entity_map WHERE tenant_id = 1 AND entity IN ('invoice', 'customer')"
    ).fetchone()[0]
    invoice_qbo = db.execute(
        "SELECT qbo_id FROM qbo_sync.entity_map WHERE tenant_id = 1 AND entity = 'invoice' AND source_id = 1"
    ).fetchone()[0]
    with qbo_factory(1) as client:  # a person voids INV-0001 in QuickBooks
        invoice = client.read("Invoice", invoice_qbo)
        client.void("Invoice", invoice_qbo, invoice["SyncToken"])

    run = qbo_reconcile_dag.test()
    got = states(run)
    assert got["reconcile"] == ["success"] and got["report"] == ["success"] and got["alerts"] == ["success"]
    rows = db.execute(
        "SELECT entity, source_id, verdict, fields, scope, dag_id FROM qbo_sync.reconciliation WHERE run_id = %s",
        (run.run_id,),
    ).fetchall()
    assert len([r for r in rows if r[0] in ("invoice", "customer")]) == synced  # every one, not only the touched
    assert {(r[4], r[5]) for r in rows} == {("full", "qbo_reconcile")}
    verdict = {(r[0], r[1]): r[2:4] for r in rows}
    assert verdict[("invoice", 1)] == ("unexplained", "voided")
    assert verdict[("invoice", 11)] == ("agree", None)
    state, reads = db.execute(
        "SELECT state, reads FROM qbo_sync.reconciliation_runs WHERE run_id = %s AND tenant_id = 1", (run.run_id,)
    ).fetchone()
    assert state == "done" and 1 <= reads <= 4  # one query per entity: fewer than 1,000 records each


def test_a_tenant_a_sync_is_working_on_is_left_to_the_next_pass(db, airflow_db, airflow_conns, qbo_reconcile_dag):
    build_au_tenant(db, airflow_conns)
    db.execute(
        "INSERT INTO qbo_sync.tenant_tracks (tenant_id, run_id, stage, state)"
        " VALUES (1, 'manual__busy', 'load', 'running')"
    )
    run = qbo_reconcile_dag.test()
    assert states(run)["reconcile"] == ["success"]
    state, note = db.execute(
        "SELECT state, note FROM qbo_sync.reconciliation_runs WHERE run_id = %s AND tenant_id = 1", (run.run_id,)
    ).fetchone()
    assert state == "left" and "sync run manual__busy is working on this tenant" in note
