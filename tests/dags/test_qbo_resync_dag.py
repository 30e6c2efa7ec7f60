"""The qbo_resync DAG under real Airflow (dag.test), a real database and the emulator:
fix a failed record and resync it, exclude one so scheduled runs leave it alone, include
it back, and refuse records the sync log does not know.

dag.test() runs no scheduler: the qbo_sync run that qbo_resync triggers is created in the
metadata DB but not executed, so the test runs qbo_sync itself (full_sync false, as the
triggered run would) to show what the next run does with the records."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.scenario import build_au_tenant

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dags():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(ROOT / "dags"))
    assert not bag.import_errors, bag.import_errors
    return bag.get_dag("qbo_sync"), bag.get_dag("qbo_resync")


def states(dag_run) -> dict[str, str]:
    return {ti.task_id: str(ti.state) for ti in dag_run.get_task_instances()}


def status_of(db, source_id: int, entity: str = "invoice") -> str:
    return db.execute(
        "SELECT status FROM qbo_sync.record_status WHERE tenant_id = 1 AND entity = %s AND source_id = %s",
        (entity, source_id),
    ).fetchone()[0]


def staged(db, run_id: str) -> dict[int, str]:
    return dict(
        db.execute(
            "SELECT source_id, reason FROM qbo_sync.run_items WHERE run_id = %s AND entity = 'invoice'", (run_id,)
        ).fetchall()
    )


def outcome(db, run_id: str, source_id: int) -> str | None:
    row = db.execute(
        "SELECT status FROM qbo_sync.sync_log WHERE run_id = %s AND entity = 'invoice' AND source_id = %s",
        (run_id, source_id),
    ).fetchone()
    return row[0] if row else None


def controls(db, source_id: int):
    return db.execute(
        "SELECT excluded, resync_requested_at, updated_by, note FROM"
        " qbo_sync.record_controls WHERE tenant_id = 1 AND entity = 'invoice'"
        " AND source_id = %s",
        (source_id,),
    ).fetchone()


def actions(db, source_id: int) -> list[tuple[str, str]]:
    return db.execute(
        "SELECT action, requested_by FROM qbo_sync.record_actions WHERE tenant_id = 1"
        " AND entity = 'invoice' AND source_id = %s ORDER BY id",
        (source_id,),
    ).fetchall()


def triggered_run(run_id: str):
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session

    with create_session() as session:
        found = (
            session.query(DagRun)
            .filter(DagRun.dag_id == "qbo_sync", DagRun.run_id == f"resync__{run_id}")
            .one_or_none()
        )
        return None if found is None else (found.conf, str(found.run_type))


def run_resync(dag, capfd, **conf):
    """Run qbo_resync; returns the run and what its tasks logged, in order (dag.test runs
    the tasks in this process, logging to stdout, and writes no log files)."""
    capfd.readouterr()
    run = dag.test(run_conf=conf)
    return run, capfd.readouterr().out


def test_fix_resync_exclude_and_include_records(db, airflow_db, airflow_conns, dags, qbo_factory, capfd):
    from qbo_sync.operations.controls import clear_honoured_resyncs
    from qbo_sync.tenants.settings import map_tax_rate

    qbo_sync, qbo_resync = dags
    company, _good = build_au_tenant(db, airflow_conns)
    first = qbo_sync.test(run_conf={"full_sync": True})
    assert outcome(db, first.run_id, 5) == "failed"  # tax rate 'Mystery levy' not linked
    assert outcome(db, first.run_id, 8) == "failed"  # amounts do not add up

    # Finance fixes invoice 5's cause, resyncs it, and excludes invoice 8 (fixed by hand
    # in QuickBooks, say).
    map_tax_rate(db, 1, "Mystery levy", company["tax_codes"]["GST"])
    resync, log = run_resync(
        qbo_resync, capfd, action="resync", tenant_id=1, entity="invoice", source_ids=[5], note="tax rate linked"
    )
    assert resync.state == "success" and states(resync)["trigger_qbo_sync"] == "success"
    excluded, requested_at, by, note = controls(db, 5)
    assert not excluded and requested_at is not None and by == "dag_test"
    assert note == f"resync by dag_test (qbo_resync run {resync.run_id}): tax rate linked"
    # The qbo_sync run it started, with full_sync off, waits in the metadata DB.
    assert triggered_run(resync.run_id) == ({"full_sync": False}, "operator_triggered")
    assert "1 record(s) flagged for resync:" in log and "requested by: dag_test" in log
    assert f"qbo_sync run resync__{resync.run_id} was started" in log
    assert "Traceback" not in log

    exclude = qbo_resync.test(
        run_conf={
            "action": "exclude",
            "tenant_id": 1,
            "entity": "invoice",
            "source_ids": [8],
            "note": "entered by hand in QuickBooks",
        }
    )
    assert exclude.state == "success"
    assert states(exclude)["trigger_qbo_sync"] == "skipped"  # nothing to send
    assert status_of(db, 8) == "excluded"
    assert controls(db, 8)[0] is True

    # The next run (what the triggered one does): 5 is staged because it was asked for,
    # and syncs; 8 is failed but excluded, so it is not even staged.
    second = qbo_sync.test(run_conf={"full_sync": False})
    assert staged(db, second.run_id)[5] == "resync"
    assert outcome(db, second.run_id, 5) == "synced" and status_of(db, 5) == "synced"
    assert 8 not in staged(db, second.run_id) and outcome(db, second.run_id, 8) is None
    assert status_of(db, 8) == "excluded"
    # qbo_sync's report task cleared the request it honoured; clearing again finds nothing.
    assert controls(db, 5)[1] is None
    assert clear_honoured_resyncs(db, second.run_id) == []
    assert actions(db, 5) == [("resync", "dag_test"), ("resync_done", "qbo_sync")]
    with qbo_factory(1) as client:
        assert client.count("select count(*) from Invoice where DocNumber = 'INV-0005'") == 1

    # Include it back: the sync log shows its last failure again, and the next run retries it.
    include = qbo_resync.test(run_conf={"action": "include", "tenant_id": 1, "entity": "invoice", "source_ids": [8]})
    assert include.state == "success"
    assert status_of(db, 8) == "failed" and controls(db, 8)[0] is False
    assert actions(db, 8) == [("exclude", "dag_test"), ("include", "dag_test")]
    third = qbo_sync.test(run_conf={"full_sync": False})
    assert staged(db, third.run_id)[8] == "retry" and outcome(db, third.run_id, 8) == "failed"


def test_unknown_records_are_refused_and_nothing_changes(db, airflow_db, airflow_conns, dags, capfd):
    qbo_sync, qbo_resync = dags
    build_au_tenant(db, airflow_conns)
    qbo_sync.test(run_conf={"full_sync": True})
    before = db.execute("SELECT count(*) FROM qbo_sync.record_controls").fetchone()

    run, log = run_resync(qbo_resync, capfd, action="exclude", tenant_id=1, entity="invoice", source_ids=[8, 999])
    got = states(run)
    assert run.state == "failed" and got["action_refused"] == "failed"
    assert got["apply_action"] == "success" and got["summary"] == "success"
    assert db.execute("SELECT count(*) FROM qbo_sync.record_controls").fetchone() == before
    assert status_of(db, 8) == "failed"  # the known one was not excluded either
    assert "REFUSED - nothing was changed" in log and "no invoice with id 999" in log
    # Explained, not crashed: the only traceback is action_refused's, after the summary.
    assert log.index("Traceback") > log.index("REFUSED - nothing was changed")
    assert "AirflowFailException: Refused, nothing was changed: tenant 1 has no invoice" in log

    # Resyncing all failures of the tenant flags exactly the failed, non-excluded records.
    failed = {
        r[0]
        for r in db.execute(
            "SELECT source_id FROM qbo_sync.record_status WHERE"
            " tenant_id = 1 AND entity = 'invoice' AND status = 'failed'"
        )
    }
    assert {3, 4, 5, 6, 8} <= failed
    everything, log = run_resync(
        qbo_resync, capfd, action="resync_failed", tenant_id=1, entity="invoice", sync_now=False
    )
    assert everything.state == "success"
    assert states(everything)["trigger_qbo_sync"] == "skipped"  # sync_now off
    flagged = {
        r[0]
        for r in db.execute(
            "SELECT source_id FROM qbo_sync.record_controls WHERE"
            " entity = 'invoice' AND resync_requested_at IS NOT NULL"
        )
    }
    assert flagged == failed
    assert "next scheduled qbo_sync run sends them" in log


def test_parsing_does_not_import_the_trigger_operator_module():
    """Issue 9: parsing stays light. TriggerDagRunOperator's module imports Airflow's
    server-side models (0.4 s); the DAG imports it only when trigger_qbo_sync runs."""
    import os
    import subprocess
    import sys

    dag_file = Path(__file__).resolve().parents[2] / "dags" / "qbo_resync.py"
    probe = (
        "import sys, runpy\nimport airflow.sdk\n"
        "runpy.run_path(sys.argv[1], run_name='dag_module')\n"
        "heavy = [m for m in ('airflow.providers.standard.operators.trigger_dagrun',"
        " 'airflow.api.common.trigger_dag', 'airflow.models.dagrun') if m in sys.modules]\n"
        "print(heavy)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(dag_file)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        check=True,
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"
