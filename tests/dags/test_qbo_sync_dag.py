"""The qbo_sync DAG under real Airflow (dag.test), a real database and the emulator."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.scenario import build_au_tenant

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def qbo_sync_dag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags" / "qbo_sync_dag.py")).get_dag("qbo_sync")


def states(dag_run) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for ti in dag_run.get_task_instances():
        result.setdefault(ti.task_id, []).append(str(ti.state))
    return result


def test_a_dag_run_syncs_good_records_and_stands_out_for_bad_ones(
    db, airflow_db, airflow_conns, qbo_sync_dag, qbo_factory
):
    build_au_tenant(db, airflow_conns)
    run = qbo_sync_dag.test(run_conf={"full_sync": True})
    got = states(run)
    assert got["report"] == ["success"]
    assert got["sync"] == ["success"]  # one tenant: one sync task, its track
    # Failed records make the run stand out, without holding back the good ones.
    assert got["records_need_attention"] == ["failed"]
    rows = dict(
        db.execute(
            "SELECT source_id, status FROM qbo_sync.sync_log WHERE run_id = %s AND entity = 'invoice'", (run.run_id,)
        ).fetchall()
    )
    assert rows[1] == rows[2] == rows[11] == "synced"
    assert rows[3] == "failed" and rows[7] == "skipped"
    mapped = db.execute(
        "SELECT task_id, map_index, try_number FROM qbo_sync.sync_log WHERE run_id = %s"
        " AND entity = 'invoice' AND source_id = 1",
        (run.run_id,),
    ).fetchone()
    assert mapped[0] == "sync" and mapped[1] == 0 and mapped[2] >= 1
    with qbo_factory(1) as client:
        assert client.count("select count(*) from Invoice") == 3

    # A second whole run creates nothing new in QuickBooks.
    again = qbo_sync_dag.test(run_conf={"full_sync": True})
    assert states(again)["report"] == ["success"]
    with qbo_factory(1) as client:
        assert client.count("select count(*) from Invoice") == 3
        assert client.count("select count(*) from Customer") == 3


def synced_in(db, run_id) -> set[int]:
    return {
        r[0]
        for r in db.execute(
            "SELECT source_id FROM qbo_sync.sync_log WHERE run_id = %s AND entity = 'invoice' AND status = 'synced'",
            (run_id,),
        )
    }


def test_clearing_and_rerunning_every_task_of_a_run_creates_no_duplicate(
    db, airflow_db, airflow_conns, qbo_sync_dag, qbo_factory
):
    import os
    import subprocess
    import sys

    build_au_tenant(db, airflow_conns)
    run = qbo_sync_dag.test(run_conf={"full_sync": True})
    query = (
        "SELECT entity, source_id, status, error_code, qbo_id FROM qbo_sync.sync_log WHERE run_id = %s ORDER BY 1, 2"
    )
    before = db.execute(query, (run.run_id,)).fetchall()

    # Re-run every task of that same run, in order, as on-call would after clearing it:
    # `airflow tasks test` runs a task instance of an existing run with its upstream XComs.
    # First as the run left it (the tenant's track finished: the re-run says so and sends
    # nothing), then as if the worker had been killed after its writes and before the track
    # ended (the track is taken up again: every record is looked up before anything is posted).
    def rerun_every_task() -> str:
        logs = ""
        for task_id, map_index in [("tenants", -1), ("tenant_groups", -1), ("sync", 0), ("report", -1)]:
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "airflow",
                    "tasks",
                    "test",
                    "qbo_sync",
                    task_id,
                    run.run_id,
                    "--map-index",
                    str(map_index),
                ],
                env=dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "include"), str(ROOT / "plugins")])),
                capture_output=True,
                text=True,
                check=False,
            )
            assert done.returncode == 0, f"{task_id}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
            logs += done.stdout + done.stderr
        return logs

    assert "tenant 1 was already synced by this run" in rerun_every_task()
    assert db.execute(query, (run.run_id,)).fetchall() == before
    db.execute("UPDATE qbo_sync.tenant_tracks SET state = 'running', finished_at = NULL WHERE tenant_id = 1")
    assert "already synced" not in rerun_every_task()
    assert db.execute(query, (run.run_id,)).fetchall() == before
    assert db.execute("SELECT state FROM qbo_sync.tenant_tracks WHERE tenant_id = 1").fetchone() == ("done",)
    with qbo_factory(1) as client:
        assert client.count("select count(*) from Invoice") == 3
        assert client.count("select count(*) from Customer") == 3


def test_three_daily_intervals_sync_exactly_their_own_invoices(db, airflow_db, airflow_conns, qbo_factory, monkeypatch):
    import pendulum
    from airflow.dag_processing.dagbag import DagBag

    monkeypatch.setenv("QBO_SYNC_SCHEDULE", "0 0 * * *")  # daily intervals for this test
    dag = DagBag(dag_folder=str(ROOT / "dags" / "qbo_sync_dag.py")).get_dag("qbo_sync")
    build_au_tenant(db, airflow_conns)
    days = [pendulum.today("UTC").subtract(days=n) for n in (3, 2, 1)]
    # Invoice 1 changed on the first day, 2 on the second, 11 on the third.
    for invoice_id, day in zip((1, 2, 11), days, strict=False):
        db.execute("UPDATE billing.invoices SET updated_at = %s WHERE id = %s", (day.add(hours=10), invoice_id))
    db.execute("UPDATE billing.invoices SET updated_at = %s WHERE id NOT IN (1, 2, 11)", (days[0].subtract(days=5),))
    synced = []
    for day in days:
        run = dag.test(logical_date=day.add(days=1))  # the interval that ends a day later
        assert run.data_interval_start == day and run.data_interval_end == day.add(days=1)
        synced.append(synced_in(db, run.run_id))
    assert synced == [{1}, {2}, {11}]
    with qbo_factory(1) as client:
        assert client.count("select count(*) from Invoice") == 3


def test_tenants_cross_xcom_as_themselves(db, airflow_db, airflow_conns, qbo_sync_dag):
    """One shape per idea: what `tenants` returns is what `tenant_groups` groups and each `sync`
    task receives, read back from Airflow's own XCom table as Tenant records."""
    from airflow.models.xcom import XComModel
    from airflow.sdk.serde import deserialize
    from airflow.utils.session import create_session

    from qbo_sync.extract.records import Tenant
    from qbo_sync.extract.stage import tenants

    build_au_tenant(db, airflow_conns)
    run = qbo_sync_dag.test(run_conf={"full_sync": True})
    with create_session() as session:
        rows = session.query(XComModel).filter_by(dag_id="qbo_sync", run_id=run.run_id, key="return_value").all()
        # Task results reach the table through the Task Execution API as Airflow's serde wrote
        # them (classname, version, data); deserialising them is what a consuming task does.
        values = {(r.task_id, r.map_index): deserialize(XComModel.deserialize_value(r)) for r in rows}
    assert values[("tenants", -1)] == tenants(db)
    assert all(isinstance(t, Tenant) for t in values[("tenants", -1)])
    assert values[("tenant_groups", -1)] == [values[("tenants", -1)]]  # one tenant: one group
    assert [r["tenant_id"] for r in values[("sync", 0)]] == [1]
