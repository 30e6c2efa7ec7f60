"""
### qbo_reconcile: do QuickBooks and the app agree?

Once a day (`QBO_SYNC_RECONCILE_SCHEDULE`, default 02:30 UTC) every record of every connected
tenant that is in QuickBooks is compared with the app: invoices' TotalAmt, TotalTax and
Balance, payments and the invoice they pay, credit memos and their application, customers'
existence and active state. Each run of `qbo_sync` already compares the records it touched;
this pass catches what changed since in either book.

QuickBooks is read with one query per entity and 1,000 records a read, inside the company's
rate budget (every read is metered by Intuit). The `reconcile` task is mapped over groups of
tenants like `qbo_sync`'s `sync` task; a tenant that a sync run is working on right now is left
to the next pass. Verdicts go to `qbo_sync.reconciliation` (agree, explained by the sync log
or QuickBooks' tax arithmetic, or unexplained), the report task prints "QuickBooks and the app
agree on ...; N differ: ...", the QuickBooks sync page charts it, and each unexplained
difference alerts once (docs/operations.md, "Reconciliation").
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import CronDataIntervalTimetable, TriggerRule, dag, task
from airflow.sdk.serde import allow_class

from qbo_sync.extract.records import Tenant

SCHEDULE = os.environ.get("QBO_SYNC_RECONCILE_SCHEDULE", "30 2 * * *")

allow_class(Tenant)


@dag(
    dag_id="qbo_reconcile",
    dag_display_name="QuickBooks reconciliation",
    schedule=CronDataIntervalTimetable(SCHEDULE, timezone="UTC"),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "finance-data", "retries": 2, "retry_delay": timedelta(minutes=5)},
    tags=["quickbooks", "finance", "reconciliation"],
    doc_md=__doc__,
)
def qbo_reconcile():
    @task
    def tenants() -> list[Tenant]:
        from qbo_airflow.runtime import database
        from qbo_sync import pipeline

        with database() as conn:
            return pipeline.list_tenants(conn)

    @task
    def tenant_groups(tenants: list[Tenant]) -> list[list[Tenant]]:
        from qbo_sync.tracks import shards

        return shards.shard(tenants)

    @task(map_index_template="{{ map_label }}")
    def reconcile(tenants: list[Tenant]) -> list[dict]:
        """These tenants' full pass, side by side."""
        from qbo_airflow.runtime import database, label, quickbooks, run_context
        from qbo_sync.reconcile.full import reconcile_shard
        from qbo_sync.tracks import shards

        label(shards.label(tenants))
        ctx = run_context()
        return reconcile_shard(database, ctx.run_id, ctx.dag_id, tenants, quickbooks)

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def report() -> int:
        from qbo_airflow.runtime import database, run_context
        from qbo_sync.extract import stage
        from qbo_sync.reconcile.report import full_report

        with database() as conn:
            names = {t.tenant_id: t.tenant_name for t in stage.tenants(conn)}
            text, unexplained = full_report(conn, run_context().run_id, names)
        print(text)
        return unexplained

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def alerts() -> int:
        """Each unexplained difference alerts once (docs/operations.md, "Alerts")."""
        from qbo_airflow.notifiers.run_alerts import send_run_alerts
        from qbo_airflow.runtime import database, run_context

        with database() as conn:
            return len(send_run_alerts(conn, run_context().run_id))

    done = reconcile.expand(tenants=tenant_groups(tenants()))
    summary = report()
    done >> summary >> alerts()


qbo_reconcile()
