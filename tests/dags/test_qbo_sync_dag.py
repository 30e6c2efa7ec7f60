"""The qbo_sync DAG under real Airflow (dag.test), a real database and the emulator."""
from __future__ import annotations

from pathlib import Path

import pytest

from support.scenario import build_au_tenant

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def qbo_sync_dag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags" / "qbo_sync.py")).get_dag("qbo_sync")


def states(dag_run) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for ti in dag_run.get_task_instances():
        result.setdefault(ti.task_id, []).append(str(ti.state))
    return result


def test_a_dag_run_syncs_good_records_and_stands_out_for_bad_ones(db, airflow_db, airflow_conns,
                                                                 qbo_sync_dag, qbo_factory):
    build_au_tenant(db, airflow_conns)
    run = qbo_sync_dag.test(run_conf={"full_sync": True})
    got = states(run)
    assert got["report"] == ["success"]
    assert set(got["load_invoices"]) == {"success"}
    assert set(got["load_customers"]) == {"success"}
    # Failed records make the run stand out, without holding back the good ones.
    assert got["records_need_attention"] == ["failed"]
    rows = dict(db.execute(
        "SELECT source_id, status FROM qbo_sync.sync_log WHERE run_id = %s AND entity = 'invoice'",
        (run.run_id,)).fetchall())
    assert rows[1] == rows[2] == rows[11] == "synced"
    assert rows[3] == "failed" and rows[7] == "skipped"
    mapped = db.execute(
        "SELECT task_id, map_index, try_number FROM qbo_sync.sync_log WHERE run_id = %s"
        " AND entity = 'invoice' AND source_id = 1", (run.run_id,)).fetchone()
    assert mapped[0] == "load_invoices" and mapped[1] == 0 and mapped[2] >= 1
    with qbo_factory(1) as client:
        assert client.count("select count(*) from Invoice") == 3

    # A second whole run creates nothing new in QuickBooks.
    again = qbo_sync_dag.test(run_conf={"full_sync": True})
    assert states(again)["report"] == ["success"]
    with qbo_factory(1) as client:
        assert client.count("select count(*) from Invoice") == 3
        assert client.count("select count(*) from Customer") == 3
