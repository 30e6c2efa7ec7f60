"""The sync's steps as plain functions, one per DAG task, with no Airflow in them.

Each takes a psycopg connection, the run context and the records of ``extract/records.py``
(a ``Tenant``) or ``load/batches.py`` (a ``LoadBatch``), and returns something small enough
for XCom (those records, ids and counts; never source rows or secrets). ``qbo`` is a factory
returning the QuickBooks client of a tenant; the DAG gets it from the QuickBooks hook, tests
from the emulator. ``run_once`` is what one DAG run does, in one process.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import psycopg

from qbo_sync import outcomes
from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.extract import read, stage
from qbo_sync.extract.records import RunWindow, Tenant
from qbo_sync.load.batches import CUSTOMERS, GROUPS, INVOICES, SUB_CUSTOMERS, LoadBatch
from qbo_sync.report.run import report_run

log = logging.getLogger(__name__)

TASK_BATCH_SIZE = 600  # records per mapped load task; QuickBooks batches of 30 inside
LOAD_TASKS = {CUSTOMERS: "load_customers", SUB_CUSTOMERS: "load_sub_customers", INVOICES: "load_invoices"}

# hold_back(code, **context) -> how many records got that explained outcome
HoldBack = Callable[..., int]


def list_tenants(conn: psycopg.Connection) -> list[Tenant]:
    return stage.tenants(conn)


def extract_tenant(conn: psycopg.Connection, ctx: outcomes.RunContext, tenant: Tenant,
                   window: RunWindow) -> dict[str, int]:
    counts = stage.stage_tenant(conn, tenant.tenant_id, window)
    log.info("tenant %s: staged %s for %s..%s%s", tenant.tenant_id,
             ", ".join(f"{n} {entity}(s)" for entity, n in counts.items()),
             window.start.isoformat(), window.end.isoformat(),
             " (full sync)" if window.full_sync else "")
    return counts


def fail_all_staged(conn: psycopg.Connection, ctx: outcomes.RunContext, tenant: Tenant,
                    code: str, **context: object) -> int:
    """Give every staged record of a tenant the same explained failure (e.g. reconnect)."""
    rows = conn.execute(load_sql("load/fail_staged"),
                        {"run_id": ctx.run_id, "tenant_id": tenant.tenant_id}).fetchall()
    with conn.transaction():
        for entity, source_id, ref, amount in rows:
            outcomes.record(conn, ctx, outcomes.from_catalog(
                code, tenant_id=tenant.tenant_id, entity=entity, source_id=source_id,
                source_ref=ref, realm_id=tenant.realm_id, amount=amount, **context))
            outcomes.set_state(conn, ctx.run_id, tenant.tenant_id, entity, source_id, "invalid")
    return len(rows)


def on_tenant_track(conn: psycopg.Connection, tenant: Tenant, qbo: Callable[[int], Any],
                    work: Callable[[Any], dict[str, Any]], hold_back: HoldBack) -> dict[str, Any]:
    """The one guard around every step that talks to a tenant's QuickBooks company.

    A tenant that must reconnect, or whose reads QuickBooks blocks this month (remembered, or
    learnt now), makes no request: ``hold_back`` gives the step's records their explained
    outcome and the step returns ``reconnect_required`` or ``reads_blocked`` with how many were
    held back. Otherwise ``work(client)`` runs and its counts are returned."""
    from qbo_client.errors import ReadsBlocked, ReconnectRequired  # noqa: PLC0415

    from qbo_sync.companies import read_blocks  # noqa: PLC0415

    tid = tenant.tenant_id
    reason = tenant.status_reason if tenant.status == "reconnect_required" else None
    block = None
    if reason is None:
        block = read_blocks.current(conn, tid)  # remembered: do not ask QuickBooks again
    if reason is None and block is None:
        try:
            with qbo(tid) as client:
                return work(client)
        except ReconnectRequired as exc:
            reason = exc.reason or str(exc)
        except ReadsBlocked as exc:  # a transaction of the step rolled back; nothing is half-done
            block = read_blocks.remember(conn, tid, tenant.realm_id, exc)
    if block is None:
        held = hold_back("reconnect_required")
        log.error("tenant %s must be reconnected to QuickBooks (%s); %s record(s) held back",
                  tid, reason or "its connection is marked reconnect_required", held)
        return {"tenant_id": tid, "reconnect_required": True, "failed": held}
    held = hold_back("reads_blocked", **block.context())
    log.warning("tenant %s: QuickBooks blocks this app's reads until %s (monthly CorePlus allowance "
                "spent); %s record(s) held back, no request made", tid, block.until_text, held)
    return {"tenant_id": tid, "reads_blocked": block.until_text, "failed": held}


def _staged_hold_back(conn: psycopg.Connection, ctx: outcomes.RunContext, tenant: Tenant) -> HoldBack:
    return lambda code, **context: fail_all_staged(conn, ctx, tenant, code, **context)


def validate_tenant(conn: psycopg.Connection, ctx: outcomes.RunContext, tenant: Tenant,
                    qbo: Callable[[int], Any]) -> dict[str, Any]:
    staged = conn.execute(load_sql("validate/staged_count"),
                          {"run_id": ctx.run_id, "tenant_id": tenant.tenant_id}).fetchone()[0]
    if not staged:  # nothing to check: spend none of the company's request budget
        return {"customers": {}, "invoices": {}}

    def work(client: Any) -> dict[str, Any]:
        from qbo_sync.validate.company import QuickBooksLookups  # noqa: PLC0415
        from qbo_sync.validate.customers import validate_customers  # noqa: PLC0415
        from qbo_sync.validate.invoices import validate_invoices  # noqa: PLC0415

        lookups = QuickBooksLookups(client.query)
        facts = lookups.facts()
        held = _fail_if_company_differs(conn, ctx, tenant, facts)
        if held is not None:
            return held
        settings = read.tenant_settings(conn, tenant.tenant_id)
        customers = validate_customers(conn, ctx, tenant_id=tenant.tenant_id, realm_id=tenant.realm_id,
                                       settings=settings, lookups=lookups)
        invoices = validate_invoices(conn, ctx, tenant_id=tenant.tenant_id, realm_id=tenant.realm_id,
                                     connected_at=tenant.connected_at, settings=settings,
                                     facts=facts, lookups=lookups)
        log.info("tenant %s validated: customers %s, invoices %s", tenant.tenant_id, customers, invoices)
        return {"customers": customers, "invoices": invoices}

    return on_tenant_track(conn, tenant, qbo, work, _staged_hold_back(conn, ctx, tenant))


def _fail_if_company_differs(conn: psycopg.Connection, ctx: outcomes.RunContext, tenant: Tenant,
                             facts: Any) -> dict[str, Any] | None:
    """Settings that contradict the company (its country, home currency, tax codes of another
    region) fail every staged record with the fix, before anything is sent."""
    from qbo_sync.companies.facts import recorded_company  # noqa: PLC0415
    from qbo_sync.validate.company_settings import conflicts_text, settings_conflicts  # noqa: PLC0415

    conflicts = settings_conflicts(tenant.tenant_id, recorded_company(conn, tenant.tenant_id),
                                   facts.company, facts.tax_codes)
    if not conflicts:
        return None
    problems, fixes = conflicts_text(conflicts)
    failed = fail_all_staged(conn, ctx, tenant, "company_settings_mismatch", problems=problems, fixes=fixes)
    log.error("tenant %s: settings do not match its QuickBooks company (%s); %s record(s) held back",
              tenant.tenant_id, problems, failed)
    return {"tenant_id": tenant.tenant_id, "customers": {}, "invoices": {}, "failed": failed}


def plan_batches(conn: psycopg.Connection, run_id: str,
                 size: int = TASK_BATCH_SIZE) -> dict[str, list[LoadBatch]]:
    """The mapped load tasks of a run: customers, sub-customers (a tenant's depths in one task,
    in order) and invoices, each with its tenant's realm."""
    conn.execute(load_sql("load/assign_batches"), {"run_id": run_id, "size": size})
    plan: dict[str, list[LoadBatch]] = {group: [] for group in GROUPS}
    subs: dict[int, list[tuple[str, int, int]]] = {}
    rows = conn.execute(load_sql("load/batches"), {"run_id": run_id}).fetchall()
    for tenant_id, realm_id, entity, batch_no, depth, records, first_ref, last_ref in rows:
        if entity == "customer" and depth > 0:
            subs.setdefault(tenant_id, []).append((realm_id, batch_no, records))
            continue
        refs = f"{first_ref}..{last_ref}" if first_ref != last_ref else f"{first_ref}"
        plan[INVOICES if entity == "invoice" else CUSTOMERS].append(LoadBatch(
            tenant_id, realm_id, entity, (batch_no,), records,
            f"tenant {tenant_id} - {entity}s {refs} ({records})"[:200]))
    for tenant_id, parts in subs.items():
        plan[SUB_CUSTOMERS].append(LoadBatch(
            tenant_id, parts[0][0], "customer", tuple(sorted(b for _, b, _ in parts)),
            sum(n for _, _, n in parts), f"tenant {tenant_id} - sub-customers"))
    return plan


def load_batch(conn: psycopg.Connection, ctx: outcomes.RunContext, batch: LoadBatch,
               qbo: Callable[[int], Any]) -> dict[str, Any]:
    """Load one planned batch (customers, sub-customers by depth, or invoices)."""
    def work(client: Any) -> dict[str, Any]:
        from qbo_sync.load.loader import BatchLoader  # noqa: PLC0415

        loader = BatchLoader(conn, ctx, batch.tenant_id, batch.realm_id, client)
        for batch_no in batch.batch_nos:
            if batch.entity == "customer":
                loader.load_customers(batch_no)
            else:
                loader.load_invoices(batch_no)
        counts = dict(loader.counts)
        log.info("%s: %s", batch.label, ", ".join(f"{k} {v}" for k, v in counts.items()))
        return counts

    tenant = _batch_tenant(conn, batch)
    return on_tenant_track(conn, tenant, qbo, work,
                           lambda code, **context: _fail_batch(conn, ctx, batch, code, **context))


def _batch_tenant(conn: psycopg.Connection, batch: LoadBatch) -> Tenant:
    """The batch's tenant as it stands now: one marked reconnect_required by an earlier batch
    of this run makes no more requests."""
    tenant = stage.tenant(conn, batch.tenant_id)
    if tenant is None:
        raise LookupError(f"tenant {batch.tenant_id} ({batch.label}) was disconnected or its sync switched "
                          "off during the run: its records stay staged and are considered again when it "
                          "is connected and enabled (python -m qbo_sync.companies status)")
    return tenant


def _fail_batch(conn: psycopg.Connection, ctx: outcomes.RunContext, batch: LoadBatch, code: str,
                **context: object) -> int:
    failed = 0
    with conn.transaction():
        for batch_no in batch.batch_nos:
            rows = conn.execute(load_sql("load/batch_items"), {
                "run_id": ctx.run_id, "tenant_id": batch.tenant_id, "entity": batch.entity,
                "batch_no": batch_no}).fetchall()
            for source_id, ref, _plan, amount in rows:
                prior = conn.execute(load_sql("outcomes/run_outcome"), {
                    "run_id": ctx.run_id, "tenant_id": batch.tenant_id, "entity": batch.entity,
                    "source_id": source_id}).fetchone()
                if prior and prior[0] == "synced":
                    continue
                outcomes.record(conn, ctx, outcomes.from_catalog(
                    code, tenant_id=batch.tenant_id, entity=batch.entity, source_id=source_id,
                    source_ref=ref, realm_id=batch.realm_id, amount=amount, **context))
                failed += 1
    return failed


def post_payments(conn: psycopg.Connection, ctx: outcomes.RunContext, tenant: Tenant,
                  qbo: Callable[[int], Any]) -> dict[str, Any]:
    """App payments, credit notes and invoice voids of one tenant, after its invoices. While
    reads are blocked they wait too: posting looks payments up first, so none is doubled."""
    def work(client: Any) -> dict[str, Any]:
        from qbo_sync.payments.outbound import post_tenant  # noqa: PLC0415

        counts = post_tenant(conn, ctx, tenant.tenant_id, tenant.realm_id, tenant.connected_at, client)
        log.info("tenant %s posted: %s", tenant.tenant_id, counts)
        return counts

    return on_tenant_track(conn, tenant, qbo, work, _staged_hold_back(conn, ctx, tenant))


def payments_back(conn: psycopg.Connection, ctx: outcomes.RunContext, tenant: Tenant,
                  qbo: Callable[[int], Any]) -> dict[str, Any]:
    """QuickBooks payments of one tenant read back into the app. Nothing of the app's is held
    back when QuickBooks cannot be read: the cursor does not move, and the next run resumes."""
    def work(client: Any) -> dict[str, Any]:
        from qbo_sync.payments.inbound import import_tenant  # noqa: PLC0415

        counts = import_tenant(conn, ctx, tenant.tenant_id, tenant.realm_id, tenant.connected_at, client)
        log.info("tenant %s payments from QuickBooks: %s", tenant.tenant_id, counts)
        return counts

    return on_tenant_track(conn, tenant, qbo, work, lambda code, **context: 0)


def run_once(conn: psycopg.Connection, window: RunWindow, qbo: Callable[[int], Any],
             dag_id: str = "qbo_sync") -> tuple[str, int]:
    """Every step in order, in this process: what one DAG run does, without Airflow.
    For tests, benchmarks and debugging; production runs go through the DAG."""
    def ctx(task_id: str) -> outcomes.RunContext:
        return outcomes.RunContext(dag_id, window.run_id, task_id, None, 1)

    tenants = list_tenants(conn)
    for tenant in tenants:
        extract_tenant(conn, ctx("extract"), tenant, window)
    for tenant in tenants:
        validate_tenant(conn, ctx("validate"), tenant, qbo)
    plan = plan_batches(conn, window.run_id)
    for group in GROUPS:
        for batch in plan[group]:
            load_batch(conn, ctx(LOAD_TASKS[group]), batch, qbo)
    for tenant in tenants:
        post_payments(conn, ctx("post_payments"), tenant, qbo)
    for tenant in tenants:
        payments_back(conn, ctx("payments_back"), tenant, qbo)
    return report_run(conn, window.run_id)
