"""
### qbo_resync: resync, exclude or include records of the QuickBooks sync

Finance's actions on the sync log, as one manual DAG (the "QuickBooks sync" page's
buttons trigger it too). Trigger it with these params:

| param | meaning |
| --- | --- |
| `action` | `resync_failed`: every record of the tenant whose last outcome is a failure (and not excluded); `resync`: the listed records; `exclude`: scheduled runs stop retrying the listed records, the sync log shows them as *excluded*; `include`: undo an exclude |
| `tenant_id` | the tenant (billing app id) |
| `entity` | `invoice` or `customer` (others as they come) - for `resync`/`exclude`/`include`; with `resync_failed`, empty means every entity |
| `source_ids` | the billing app ids of the records, e.g. `[1083, 1090]` |
| `sync_now` | for resyncs: start a `qbo_sync` run right away (default) instead of waiting for the next scheduled one |
| `note` | why, kept with the record (e.g. "tax code fixed in QuickBooks") |

What happens:

1. **apply_action** checks every listed record is known to the sync log for that tenant;
   if one is not (or a resync names an excluded record), nothing changes and the run fails
   with a message saying which and why. Otherwise it writes `qbo_sync.record_controls`
   (`resync_requested_at`, `excluded`, `note`, `updated_by` = the user who triggered the
   run) and the audit trail `qbo_sync.record_actions`.
2. **trigger_qbo_sync** (resyncs only) starts a `qbo_sync` run with `full_sync` false: its
   extract stages every resync-requested record, and the request is cleared once the
   record synced. If that run cannot start, the next scheduled run picks the records up.
3. **summary** ends the log with one block: what was done, to which records, by whom.
4. **action_refused** fails only when the request was refused, so the run stands out.

Fix the cause first (the sync log says what to fix), then resync: a record resynced
without a fix fails again with the same message.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Param, TriggerRule, dag, task

from qbo_airflow.operators.trigger_dag_run_operator import LazyTriggerDagRunOperator

default_args = {
    "owner": "finance-data",
    "retries": 1,
    "retry_delay": timedelta(seconds=30),
}

ENTITIES = ["invoice", "customer", "credit_memo", "payment", "invoice_void", "payment_import"]


@dag(
    dag_id="qbo_resync",
    dag_display_name="QuickBooks resync / exclude / include",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    default_args=default_args,
    tags=["quickbooks", "finance", "operations"],
    params={
        "action": Param(
            "resync_failed",
            type="string",
            enum=["resync_failed", "resync", "exclude", "include"],
            description="What to do with the records",
        ),
        "tenant_id": Param(1, type="integer", minimum=1, description="The tenant (billing app id)"),
        "entity": Param(
            None,
            type=["null", "string"],
            enum=[None, *ENTITIES],
            description="The records' kind (any, for resync_failed, when empty)",
        ),
        "source_ids": Param([], type="array", items={"type": "integer"}, description="The records' billing app ids"),
        "sync_now": Param(
            True, type="boolean", description="Resyncs: start a qbo_sync run now, not at the next schedule"
        ),
        "note": Param("", type="string", maxLength=500, description="Why (kept with the record)"),
    },
    doc_md=__doc__,
)
def qbo_resync():
    @task
    def apply_action(params: dict | None = None, dag_run=None, run_id: str | None = None) -> dict:
        from qbo_airflow.runtime import database, user_roles
        from qbo_sync.operations.task import requested_by, run_action

        user = getattr(dag_run, "triggering_user_name", None)
        with database() as conn:
            return run_action(
                conn,
                params or {},
                requested_by=requested_by(dag_run),
                dag_run_id=run_id,
                user=user,
                roles=user_roles(user),
            )

    @task.short_circuit(ignore_downstream_trigger_rules=False)
    def needs_sync(result: dict, params: dict | None = None) -> bool:
        """Starts qbo_sync only for resyncs that flagged records, and when sync_now is on."""
        return bool(result.get("needs_sync")) and bool((params or {}).get("sync_now", True))

    trigger = LazyTriggerDagRunOperator(
        task_id="trigger_qbo_sync",
        trigger_dag_id="qbo_sync",
        trigger_run_id="resync__{{ run_id }}",
        conf={"full_sync": False},
        wait_for_completion=False,
        openlineage_inject_parent_info=False,
        # A retry after the first try created the run skips instead of failing.
        skip_when_already_exists=True,
    )

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def summary(result: dict | None, params: dict | None = None, ti=None) -> str:
        from qbo_sync.operations.task import summarize

        triggered = ti.xcom_pull(task_ids="trigger_qbo_sync", key="trigger_run_id")
        text, refusal = summarize(
            result, triggered_run_id=triggered, sync_now=bool((params or {}).get("sync_now", True))
        )
        print(text)  # the one block finance reads at the end of the log
        return refusal or ""  # "" rather than None: a None return is no XCom to pull

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def action_refused(refusal: str) -> None:
        """Fails when the request was refused, so the run stands out in the UI."""
        if refusal:
            from airflow.sdk.exceptions import AirflowFailException

            raise AirflowFailException(f"Refused, nothing was changed: {refusal}")

    result = apply_action()
    go = needs_sync(result)
    go >> trigger
    refusal = summary(result)
    trigger >> refusal
    action_refused(refusal)


qbo_resync()
