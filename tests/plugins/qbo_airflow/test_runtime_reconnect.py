"""A tenant that must reconnect fails its sync task once: in the run whose track learnt it
(QuickBooks refused the tokens), not in every later run while it waits (red means new)."""

from __future__ import annotations

import pytest
from airflow.sdk.exceptions import AirflowFailException

from qbo_airflow.runtime import raise_if_reconnect


def test_a_reconnect_learnt_in_this_run_fails_the_task_and_an_old_one_only_logs(caplog):
    old = [{"tenant_id": 3, "reconnect_required": True, "reconnect_learnt": False, "failed": 4}, {"tenant_id": 5}]
    assert raise_if_reconnect(old) == old
    assert "tenant 3 still must be reconnected" in caplog.text
    with pytest.raises(AirflowFailException) as failed:
        raise_if_reconnect([*old, {"tenant_id": 7, "reconnect_required": True, "reconnect_learnt": True}])
    assert "Tenant 7 must be reconnected" in str(failed.value) and "Tenant 3" not in str(failed.value)
