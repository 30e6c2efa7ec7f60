"""
### qbo_sync: the billing app's invoices into QuickBooks Online

Every run, for every tenant connected to QuickBooks:

1. **extract** - stage the finalized invoices changed in the data interval, every record
   whose last outcome was a failure, and those finance asked to resync; plus the clients
   they need. Drafts and records that came from QuickBooks never leave.
2. **validate** - a Great Expectations suite per tenant: line items present, tax rates
   linked to active QuickBooks tax codes, default items set, invoice numbers present,
   unique and at most 21 characters, names that do not clash, amounts that add up, dates
   outside closed periods. A failing record is logged with its cause and fix, and not sent.
3. **load** - customers first (parents before sub-customers), then invoices, in QuickBooks
   batches of at most 30, at the rate QuickBooks allows. Unchanged records are skipped.
   After an unknown outcome the record is looked up in QuickBooks before anything is
   posted again, so a re-run never creates a duplicate.
4. **payments** - app payments, credit notes (as applied CreditMemos) and invoice voids go
   out; QuickBooks payments come back into the app (change data capture from a cursor per
   tenant; split payments import as one row per payment and invoice; ours never come back).
5. **report** - one block per tenant at the end of the log: counts, the amount synced, and
   each failure with its cause and fix (also in `qbo_sync.sync_log`).

Re-running is always safe: clear any task, or the whole run. A run with failed records
ends with the `records_need_attention` task failed (the good records are synced);
systemic faults (QuickBooks down, throttling beyond the retries) fail the load task.
Params: `full_sync` considers every finalized invoice, not only the interval's.
"""
from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import CronDataIntervalTimetable, Param, TriggerRule, dag, task
from airflow.sdk.serde import allow_class

from qbo_sync.extract.records import Tenant
from qbo_sync.load.batches import CUSTOMERS, INVOICES, SUB_CUSTOMERS, LoadBatch

# A Tenant and a LoadBatch cross XCom as themselves (plain dataclasses, standard types only).
allow_class(Tenant)
allow_class(LoadBatch)

SCHEDULE = os.environ.get("QBO_SYNC_SCHEDULE", "0 * * * *")

default_args = {
    "owner": "finance-data",
    "retries": 2,
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(minutes=10),
}


@dag(
    dag_id="qbo_sync",
    dag_display_name="QuickBooks sync",
    schedule=CronDataIntervalTimetable(SCHEDULE, timezone="UTC"),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=default_args,
    tags=["quickbooks", "finance", "sync"],
    params={"full_sync": Param(False, type="boolean",
                               description="Consider every finalized invoice, not only the data interval's")},
    doc_md=__doc__,
)
def qbo_sync():
    @task
    def tenants() -> list[Tenant]:
        from qbo_airflow.runtime import database
        from qbo_sync import pipeline

        with database() as conn:
            return pipeline.list_tenants(conn)

    @task(map_index_template="{{ map_label }}")
    def extract(tenant: Tenant) -> dict:
        from qbo_airflow.runtime import database, label, run_context, run_window
        from qbo_sync import pipeline

        label(f"tenant {tenant.tenant_id}")
        with database() as conn:
            return pipeline.extract_tenant(conn, run_context(), tenant, run_window())

    @task(map_index_template="{{ map_label }}")
    def validate(tenant: Tenant) -> dict:
        from qbo_airflow.runtime import database, label, quickbooks, run_context
        from qbo_sync import pipeline

        label(f"tenant {tenant.tenant_id}")
        with database() as conn:
            return pipeline.validate_tenant(conn, run_context(), tenant, quickbooks(conn))

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def plan() -> dict[str, list[LoadBatch]]:
        from qbo_airflow.runtime import database, run_context
        from qbo_sync import pipeline

        with database() as conn:
            return pipeline.plan_batches(conn, run_context().run_id)

    @task
    def batches_of(plan: dict[str, list[LoadBatch]], group: str) -> list[LoadBatch]:
        return plan[group]

    @task(map_index_template="{{ map_label }}")
    def load(batch: LoadBatch) -> dict:
        """One planned batch: customers, sub-customers (by depth) or invoices, in
        QuickBooks batches of at most 30."""
        from qbo_airflow.runtime import database, label, quickbooks, raise_if_reconnect, run_context
        from qbo_sync import pipeline

        label(batch.label)
        with database() as conn:
            return raise_if_reconnect(pipeline.load_batch(conn, run_context(), batch, quickbooks(conn)))

    @task(map_index_template="{{ map_label }}", trigger_rule=TriggerRule.ALL_DONE)
    def post_payments(tenant: Tenant) -> dict:
        """App payments, credit notes and voids, once the tenant's invoices are in."""
        from qbo_airflow.runtime import database, label, quickbooks, raise_if_reconnect, run_context
        from qbo_sync import pipeline

        label(f"tenant {tenant.tenant_id}")
        with database() as conn:
            return raise_if_reconnect(pipeline.post_payments(conn, run_context(), tenant, quickbooks(conn)))

    @task(map_index_template="{{ map_label }}", trigger_rule=TriggerRule.ALL_DONE)
    def payments_back(tenant: Tenant) -> dict:
        """QuickBooks payments read back into the app (change data capture)."""
        from qbo_airflow.runtime import database, label, quickbooks, raise_if_reconnect, run_context
        from qbo_sync import pipeline

        label(f"tenant {tenant.tenant_id}")
        with database() as conn:
            return raise_if_reconnect(pipeline.payments_back(conn, run_context(), tenant, quickbooks(conn)))

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def report() -> int:
        from qbo_airflow.runtime import database, run_context
        from qbo_sync.report.run import report_run

        with database() as conn:
            text, failed = report_run(conn, run_context().run_id)
        print(text)  # the readable block finance looks for at the end of the log
        return failed

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def alerts() -> int:
        """E-mail / webhook once per tenant with failures or a lost connection (docs/operations.md)."""
        from qbo_airflow.notifiers.run_alerts import send_run_alerts
        from qbo_airflow.runtime import database, run_context

        with database() as conn:
            return len(send_run_alerts(conn, run_context().run_id))

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def records_need_attention(failed: int) -> None:
        """Fails when records failed, so the run stands out in the UI; the good ones are synced."""
        from airflow.sdk.exceptions import AirflowFailException

        if failed:
            raise AirflowFailException(
                f"{failed} record(s) failed validation or were refused by QuickBooks; "
                "their cause and fix are in the report task's log and in qbo_sync.sync_log. "
                "Fix them and resync (qbo_resync DAG) or wait for the next run."
            )

    tenant_list = tenants()
    extracted = extract.expand(tenant=tenant_list)
    validated = validate.expand(tenant=tenant_list)
    extracted >> validated
    batches = plan()
    validated >> batches
    # Customers before the invoices that use them, parents before sub-customers: QuickBooks
    # batch items cannot see each other's writes. A failed batch does not hold back the rest.
    customers = load.override(task_id="load_customers").expand(
        batch=batches_of.override(task_id="customer_batches")(batches, CUSTOMERS))
    sub_customers = load.override(task_id="load_sub_customers", trigger_rule=TriggerRule.ALL_DONE).expand(
        batch=batches_of.override(task_id="sub_customer_batches")(batches, SUB_CUSTOMERS))
    invoices = load.override(task_id="load_invoices", trigger_rule=TriggerRule.ALL_DONE).expand(
        batch=batches_of.override(task_id="invoice_batches")(batches, INVOICES))
    customers >> sub_customers >> invoices
    posted = post_payments.expand(tenant=tenant_list)
    invoices >> posted
    imported = payments_back.expand(tenant=tenant_list)
    posted >> imported
    summary = report()
    imported >> summary
    summary >> alerts()
    records_need_attention(summary)


qbo_sync()
