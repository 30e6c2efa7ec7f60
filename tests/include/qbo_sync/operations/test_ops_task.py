"""qbo_resync's action, as its task runs it: a user acts only on the tenants they are granted,
whether through the sync page or by triggering qbo_resync in Airflow directly."""

from __future__ import annotations

import pytest

from qbo_sync import outcomes
from qbo_sync.operations.task import run_action
from qbo_sync.tenants import access
from support.rows import insert

EXCLUDE = {"action": "exclude", "tenant_id": 1, "entity": "invoice", "source_ids": [2], "note": "test"}


@pytest.fixture
def tenant(db):
    for tid in (1, 2):
        insert(db, "billing.tenants", id=tid, name=f"Practice {tid}", currency="AUD")
    outcomes.record(
        db,
        outcomes.RunContext("qbo_sync", "r1", "sync"),
        outcomes.Outcome(
            tenant_id=1,
            entity="invoice",
            source_id=2,
            source_ref="INV-0002",
            action="create",
            status="failed",
            cause="c",
            fix="f",
        ),
    )


def excluded(db) -> bool:
    row = db.execute("SELECT excluded FROM qbo_sync.record_controls WHERE tenant_id = 1 AND source_id = 2").fetchone()
    return bool(row and row[0])


def act(db, user, roles=None):
    return run_action(db, EXCLUDE, requested_by=user or "a run without a user", dag_run_id="d1", user=user, roles=roles)


def test_a_user_without_a_grant_is_refused_and_nothing_changes(db, tenant):
    result = act(db, "clerk", ("viewer",))
    assert "clerk may not act on tenant 1" in result["refused"] and "access grant --user clerk" in result["refused"]
    assert not excluded(db)


def test_a_user_granted_the_tenant_by_name_or_by_role_may_act(db, tenant):
    access.grant(db, access.USER, "clerk", [1], "admin")
    assert "refused" not in act(db, "clerk", ("viewer",)) and excluded(db)
    access.grant(db, access.ROLE, "op", [2], "admin")
    assert "may not act on tenant 1" in act(db, "ops", ("op",))["refused"]  # op holds tenant 2 only


def test_admins_and_runs_without_a_user_act_on_every_tenant(db, tenant):
    assert "refused" not in act(db, "boss", ("admin",)) and excluded(db)
    assert "refused" not in act(db, None)
    assert "refused" not in act(db, "dag_test", None)  # no signed-in user: the deployment's own
