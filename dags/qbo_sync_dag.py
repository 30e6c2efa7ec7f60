"""
### qbo_sync: the billing app's invoices into QuickBooks Online

Every tenant connected to QuickBooks moves through the run **on a track of its own**, so a
tenant that is throttled, whose QuickBooks is down, that must reconnect or that carries a big
backlog never delays another tenant's records:

1. **extract** - stage the finalized invoices changed since the tenant's last finished track
   (the data interval, or further back if an earlier run had to leave the tenant), every
   record whose last outcome was a failure, and those finance asked to resync; plus the
   clients they need. Drafts and records that came from QuickBooks never leave.
2. **validate** - Great Expectations suites: line items present, tax rates linked to active
   QuickBooks tax codes, default items set, invoice numbers present, unique and at most 21
   characters, names that do not clash, amounts that add up, dates outside closed periods.
   A failing record is logged with its cause and fix, and not sent.
3. **load** - customers first (parents before sub-customers), then invoices, in QuickBooks
   batches of at most 30, at the rate QuickBooks allows. Unchanged records are skipped.
   After an unknown outcome the record is looked up in QuickBooks before anything is
   posted again, so a re-run never creates a duplicate.
4. **payments** - app payments, credit notes (as applied CreditMemos) and invoice voids go
   out; QuickBooks payments come back into the app (change data capture from a cursor per
   tenant; split payments import as one row per payment and invoice; ours never come back).
5. **reconcile** - the records the run touched, compared with QuickBooks (totals, tax,
   balances, payments' and credit memos' links, customers' state), one query per kind of
   record; each difference explained by the sync log or flagged unexplained
   (`qbo_sync.reconciliation`; the `qbo_reconcile` DAG compares everything daily).
6. **report** - one block per tenant at the end of the log: counts, the amount synced, each
   failure with its cause and fix (also in `qbo_sync.sync_log`), and the reconciliation.

The `sync` task is mapped over groups of tenants, labelled with their names: one tenant per
task up to 32 tenants, more per task beyond (`QBO_SYNC_TENANTS_PER_TASK`,
`QBO_SYNC_MAX_SYNC_TASKS`); inside a task each tenant runs on a thread of its own
(`QBO_SYNC_TRACKS_PER_TASK`). One run at a time works on a tenant (a lease in
`qbo_sync.tenant_tracks`): runs overlap, and a run that finds a tenant still held by another
(a backfill) leaves it to that run; nothing it would have staged is lost.

Re-running is always safe: clear a `sync` task or the whole run; tenants the run already
finished are left alone, the others resume. **Red means new**: a run ends with the
`records_need_attention` task failed only for what needs eyes now - records that failed for
the first time, a tenant whose track failed, a reconnect or a block of reads no earlier run
reported, a task that failed. Records still failing for a cause an earlier run reported wait
for finance: they stay in the report and on the page, counted in the run's summary, and the
run stays green (the good records are synced either way). A tenant whose QuickBooks kept
failing fails its `sync` task (its records say why) so Airflow retries it.
Params: `full_sync` considers every finalized invoice, not only the interval's; `tenant_ids`
limits the run to those tenants (a backfill of chosen tenants, docs/operations.md).
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import CronDataIntervalTimetable, Param, TriggerRule, dag, task
from airflow.sdk.serde import allow_class

from qbo_sync.extract.records import Tenant

SCHEDULE = os.environ.get("QBO_SYNC_SCHEDULE", "0 * * * *")

# A Tenant crosses XCom as itself (a plain dataclass of standard types).
allow_class(Tenant)

RETRY_DELAY = os.environ.get("QBO_SYNC_RETRY_DELAY_SECONDS", "60")
if not RETRY_DELAY.isdigit():
    raise ValueError(f"QBO_SYNC_RETRY_DELAY_SECONDS={RETRY_DELAY!r} must be a whole number of seconds, e.g. 60")

default_args = {
    "owner": "finance-data",
    "retries": 2,
    "retry_delay": timedelta(seconds=int(RETRY_DELAY)),
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(minutes=10),
}


@dag(
    dag_id="qbo_sync",
    dag_display_name="QuickBooks sync",
    schedule=CronDataIntervalTimetable(SCHEDULE, timezone="UTC"),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    # Runs may overlap: each tenant is worked on by one run at a time (tenant_tracks), so the
    # next hourly run reaches every other tenant on time while one carries a long backlog.
    max_active_runs=int(os.environ.get("QBO_SYNC_MAX_ACTIVE_RUNS", "3")),
    default_args=default_args,
    tags=["quickbooks", "finance", "sync"],
    params={
        "full_sync": Param(
            False, type="boolean", description="Consider every finalized invoice, not only the data interval's"
        ),
        "tenant_ids": Param(
            [],
            type="array",
            items={"type": "integer"},
            description="Only these tenants (empty: every connected tenant)",
        ),
    },
    doc_md=__doc__,
)
def qbo_sync():
    @task
    def tenants() -> list[Tenant]:
        from airflow.sdk import get_current_context

        from qbo_airflow.runtime import database
        from qbo_sync import pipeline

        chosen = get_current_context()["params"].get("tenant_ids") or None
        with database() as conn:
            return pipeline.list_tenants(conn, chosen)

    @task
    def tenant_groups(tenants: list[Tenant]) -> list[list[Tenant]]:
        from qbo_sync.tracks import shards

        return shards.shard(tenants)

    @task(map_index_template="{{ map_label }}")
    def sync(tenants: list[Tenant]) -> list[dict]:
        """These tenants' tracks, side by side: extract, validate, load, payments out, payments back,
        reconcile."""
        from qbo_airflow.runtime import (
            database,
            label,
            quickbooks,
            raise_if_reconnect,
            raise_if_systemic,
            run_context,
            run_window,
        )
        from qbo_sync import pipeline
        from qbo_sync.tracks import shards

        label(shards.label(tenants))
        results = pipeline.sync_shard(database, run_context(), tenants, run_window(), quickbooks)
        return raise_if_reconnect(raise_if_systemic(results))

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def report() -> dict:
        from qbo_airflow.runtime import database, run_context
        from qbo_sync.report.run import close_run

        with database() as conn:
            text, verdict = close_run(conn, run_context().run_id)
        print(text)  # the readable block finance looks for at the end of the log
        return verdict.as_xcom()

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def alerts() -> int:
        """E-mail / webhook once per tenant with failures or a lost connection (docs/operations.md)."""
        from qbo_airflow.notifiers.run_alerts import send_run_alerts
        from qbo_airflow.runtime import database, run_context

        with database() as conn:
            return len(send_run_alerts(conn, run_context().run_id))

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def records_need_attention(verdict: dict | None) -> str:
        """Fails for what needs eyes now (red means new), so only such a run stands out in the
        UI; records still waiting for finance are counted, and leave the run green."""
        from airflow.sdk.exceptions import AirflowFailException

        from qbo_airflow.runtime import failed_tasks
        from qbo_sync.report.verdict import needs_eyes

        why = needs_eyes(verdict, failed_tasks(("tenants", "tenant_groups", "sync", "report")))
        if why:
            raise AirflowFailException(why)
        return verdict["summary"]

    synced = sync.expand(tenants=tenant_groups(tenants()))
    summary = report()
    synced >> summary
    summary >> alerts()
    records_need_attention(summary)


qbo_sync()
