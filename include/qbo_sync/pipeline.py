"""The sync's steps as plain functions, one per DAG task, with no Airflow in them.

Each takes a psycopg connection, the run context and plain values, and returns
something small enough for XCom (ids and counts, never records or secrets).
``qbo`` is a factory returning the QuickBooks client of a tenant; the DAG gets it
from the QuickBooks hook, tests from the emulator.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import psycopg

from qbo_sync import outcomes
from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.extract import read, stage
from qbo_sync.report import summary

log = logging.getLogger(__name__)

TASK_BATCH_SIZE = 600  # records per mapped load task; QuickBooks batches of 30 inside


def list_tenants(conn: psycopg.Connection) -> list[dict[str, Any]]:
    result = []
    for t in stage.tenants(conn):
        row = asdict(t)
        row["connected_at"] = t.connected_at.isoformat()
        result.append(row)
    return result


def _tenant(tenant: dict[str, Any]) -> stage.Tenant:
    from datetime import datetime  # noqa: PLC0415

    values = dict(tenant)
    values["connected_at"] = datetime.fromisoformat(values["connected_at"])
    return stage.Tenant(**values)


def extract_tenant(conn: psycopg.Connection, ctx: outcomes.RunContext, tenant: dict[str, Any],
                   window: stage.RunWindow) -> dict[str, int]:
    counts = stage.stage_tenant(conn, tenant["tenant_id"], window)
    log.info("tenant %s: staged %s for %s..%s%s", tenant["tenant_id"],
             ", ".join(f"{n} {entity}(s)" for entity, n in counts.items()),
             window.start.isoformat(), window.end.isoformat(),
             " (full sync)" if window.full_sync else "")
    return counts


def fail_all_staged(conn: psycopg.Connection, ctx: outcomes.RunContext, tenant: stage.Tenant,
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


def hold_back_unread(conn: psycopg.Connection, ctx: outcomes.RunContext, tenant: stage.Tenant,
                     block: Any) -> int:
    """QuickBooks blocks the tenant's reads this month: every staged record gets the explained
    ``reads_blocked`` outcome, without a request; the tenant is named once in the log."""
    failed = fail_all_staged(conn, ctx, tenant, "reads_blocked", **block.context())
    log.warning("tenant %s: QuickBooks blocks this app's reads until %s (monthly CorePlus allowance "
                "spent); %s record(s) held back, no request made", tenant.tenant_id, block.until_text, failed)
    return failed


def validate_tenant(conn: psycopg.Connection, ctx: outcomes.RunContext, tenant: dict[str, Any],
                    qbo: Callable[[int], Any]) -> dict[str, Any]:
    from qbo_client.errors import ReadsBlocked, ReconnectRequired  # noqa: PLC0415

    from qbo_sync.companies import read_blocks  # noqa: PLC0415

    from qbo_sync.validate.company import QuickBooksLookups  # noqa: PLC0415
    from qbo_sync.validate.customers import validate_customers  # noqa: PLC0415
    from qbo_sync.validate.invoices import validate_invoices  # noqa: PLC0415

    t = _tenant(tenant)
    if t.status == "reconnect_required":
        failed = fail_all_staged(conn, ctx, t, "reconnect_required")
        log.warning("tenant %s needs reconnecting to QuickBooks: %s record(s) held back",
                    t.tenant_id, failed)
        return {"customers": {}, "invoices": {}, "held_back": failed}
    staged = conn.execute(load_sql("validate/staged_count"),
                          {"run_id": ctx.run_id, "tenant_id": t.tenant_id}).fetchone()[0]
    if not staged:  # nothing to check: spend none of the company's request budget
        return {"customers": {}, "invoices": {}}
    block = read_blocks.current(conn, t.tenant_id)
    if block is not None:  # remembered from an earlier run: do not ask QuickBooks again
        return {"customers": {}, "invoices": {}, "held_back": hold_back_unread(conn, ctx, t, block),
                "reads_blocked": block.until_text}
    try:
        with qbo(t.tenant_id) as client:
            lookups = QuickBooksLookups(client.query)
            facts = lookups.facts()
            held = _fail_if_company_differs(conn, ctx, t, facts)
            if held is not None:
                return held
            settings = read.tenant_settings(conn, t.tenant_id)
            customers = validate_customers(conn, ctx, tenant_id=t.tenant_id, realm_id=t.realm_id,
                                           settings=settings, lookups=lookups)
            invoices = validate_invoices(conn, ctx, tenant_id=t.tenant_id, realm_id=t.realm_id,
                                         connected_at=t.connected_at, settings=settings,
                                         facts=facts, lookups=lookups)
    except ReconnectRequired as exc:
        failed = fail_all_staged(conn, ctx, t, "reconnect_required")
        log.warning("tenant %s: %s; %s record(s) held back", t.tenant_id, exc, failed)
        return {"customers": {}, "invoices": {}, "held_back": failed}
    except ReadsBlocked as exc:  # validation's writes rolled back with its transaction
        block = read_blocks.remember(conn, t.tenant_id, t.realm_id, exc)
        return {"customers": {}, "invoices": {}, "held_back": hold_back_unread(conn, ctx, t, block),
                "reads_blocked": block.until_text}
    log.info("tenant %s validated: customers %s, invoices %s", t.tenant_id, customers, invoices)
    return {"customers": customers, "invoices": invoices}


def _fail_if_company_differs(conn: psycopg.Connection, ctx: outcomes.RunContext, t: stage.Tenant,
                             facts: Any) -> dict[str, Any] | None:
    """Settings that contradict the company (its country, home currency, tax codes of another
    region) fail every staged record with the fix, before anything is sent."""
    from qbo_sync.companies.facts import recorded_company  # noqa: PLC0415
    from qbo_sync.validate.company_settings import conflicts_text, settings_conflicts  # noqa: PLC0415

    conflicts = settings_conflicts(t.tenant_id, recorded_company(conn, t.tenant_id), facts.company,
                                   facts.tax_codes)
    if not conflicts:
        return None
    problems, fixes = conflicts_text(conflicts)
    failed = fail_all_staged(conn, ctx, t, "company_settings_mismatch", problems=problems, fixes=fixes)
    log.error("tenant %s: settings do not match its QuickBooks company (%s); %s record(s) held back",
              t.tenant_id, problems, failed)
    return {"customers": {}, "invoices": {}, "held_back": failed}


def plan_batches(conn: psycopg.Connection, run_id: str,
                 size: int = TASK_BATCH_SIZE) -> dict[str, list[dict[str, Any]]]:
    """Batch descriptors for the mapped load tasks: ids and labels only."""
    conn.execute(load_sql("load/assign_batches"), {"run_id": run_id, "size": size})
    plan: dict[str, list[dict[str, Any]]] = {"customers": [], "sub_customers": [], "invoices": []}
    rows = conn.execute(load_sql("load/batches"), {"run_id": run_id}).fetchall()
    for tenant_id, entity, batch_no, depth, records, first_ref, last_ref in rows:
        group = "invoices" if entity == "invoice" else ("customers" if depth == 0 else "sub_customers")
        refs = f"{first_ref}..{last_ref}" if first_ref != last_ref else f"{first_ref}"
        plan[group].append({
            "tenant_id": tenant_id, "entity": entity, "batch_no": batch_no, "records": records,
            "label": f"tenant {tenant_id} - {entity}s {refs} ({records})"[:200],
        })
    # Sub-customers of one tenant load depth by depth within one task, in order.
    merged: dict[int, dict[str, Any]] = {}
    for b in plan["sub_customers"]:
        m = merged.setdefault(b["tenant_id"], {
            "tenant_id": b["tenant_id"], "entity": "customer", "batch_nos": [], "records": 0,
            "label": f"tenant {b['tenant_id']} - sub-customers"})
        m["batch_nos"].append(b["batch_no"])
        m["records"] += b["records"]
    plan["sub_customers"] = list(merged.values())
    return plan


def post_payments(conn: psycopg.Connection, ctx: outcomes.RunContext, tenant: dict[str, Any],
                  qbo: Callable[[int], Any]) -> dict[str, Any]:
    """App payments, credit notes and invoice voids of one tenant, after its invoices."""
    from qbo_client.errors import ReadsBlocked, ReconnectRequired  # noqa: PLC0415

    from qbo_sync.companies import read_blocks  # noqa: PLC0415
    from qbo_sync.payments.outbound import post_tenant  # noqa: PLC0415

    t = _tenant(tenant)
    if t.status == "reconnect_required":
        return {"reconnect_required": True, "tenant_id": t.tenant_id, "failed": 0}  # validate held them back
    block = read_blocks.current(conn, t.tenant_id)
    if block is not None:  # posting looks payments up first (never doubled): wait for reads
        return {"reads_blocked": block.until_text, "tenant_id": t.tenant_id,
                "failed": hold_back_unread(conn, ctx, t, block)}
    try:
        with qbo(t.tenant_id) as client:
            counts = post_tenant(conn, ctx, t.tenant_id, t.realm_id, t.connected_at, client)
    except ReconnectRequired:
        failed = fail_all_staged(conn, ctx, t, "reconnect_required")
        return {"reconnect_required": True, "tenant_id": t.tenant_id, "failed": failed}
    except ReadsBlocked as exc:
        block = read_blocks.remember(conn, t.tenant_id, t.realm_id, exc)
        return {"reads_blocked": block.until_text, "tenant_id": t.tenant_id,
                "failed": hold_back_unread(conn, ctx, t, block)}
    log.info("tenant %s posted: %s", t.tenant_id, counts)
    return counts


def payments_back(conn: psycopg.Connection, ctx: outcomes.RunContext, tenant: dict[str, Any],
                  qbo: Callable[[int], Any]) -> dict[str, Any]:
    """QuickBooks payments of one tenant read back into the app."""
    from qbo_client.errors import ReadsBlocked, ReconnectRequired  # noqa: PLC0415

    from qbo_sync.companies import read_blocks  # noqa: PLC0415
    from qbo_sync.payments.inbound import import_tenant  # noqa: PLC0415

    t = _tenant(tenant)
    if t.status == "reconnect_required":
        return {"reconnect_required": True, "tenant_id": t.tenant_id, "failed": 0}
    block = read_blocks.current(conn, t.tenant_id)
    if block is None:
        try:
            with qbo(t.tenant_id) as client:
                counts = import_tenant(conn, ctx, t.tenant_id, t.realm_id, t.connected_at, client)
        except ReconnectRequired:
            return {"reconnect_required": True, "tenant_id": t.tenant_id, "failed": 0}
        except ReadsBlocked as exc:  # the cursor did not move: nothing is lost, it resumes later
            block = read_blocks.remember(conn, t.tenant_id, t.realm_id, exc)
    if block is not None:
        log.warning("tenant %s: payments not read back from QuickBooks, which blocks this app's reads "
                    "until %s", t.tenant_id, block.until_text)
        return {"reads_blocked": block.until_text, "tenant_id": t.tenant_id, "failed": 0}
    log.info("tenant %s payments from QuickBooks: %s", t.tenant_id, counts)
    return counts


def report_run(conn: psycopg.Connection, run_id: str) -> tuple[str, int]:
    names = {t.tenant_id: t.tenant_name for t in stage.tenants(conn)}
    reports = summary.build(conn, run_id, names)
    blocks = [summary.render(r) for _, r in sorted(reports.items())]
    failed = sum(r.failed for r in reports.values())
    return "\n\n".join(blocks) if blocks else "No tenant is connected to QuickBooks.", failed


def load_batch(conn: psycopg.Connection, ctx: outcomes.RunContext, batch: dict[str, Any],
               qbo: Callable[[int], Any]) -> dict[str, Any]:
    """Load one planned batch (customers, sub-customers by depth, or invoices).

    Returns counts, plus ``reconnect_required`` when the tenant's connection is gone
    (its records are logged with the reconnect fix; retrying the task cannot help)."""
    from qbo_client.errors import ReadsBlocked, ReconnectRequired  # noqa: PLC0415

    from qbo_sync.companies import read_blocks  # noqa: PLC0415
    from qbo_sync.load.loader import BatchLoader  # noqa: PLC0415

    tenant_id = batch["tenant_id"]
    realm_id, _status = conn.execute(load_sql("load/tenant_realm"), {"tenant_id": tenant_id}).fetchone()
    batch_nos = batch.get("batch_nos") or [batch["batch_no"]]
    try:
        with qbo(tenant_id) as client:
            loader = BatchLoader(conn, ctx, tenant_id, realm_id, client)
            for batch_no in sorted(batch_nos):
                if batch["entity"] == "customer":
                    loader.load_customers(batch_no)
                else:
                    loader.load_invoices(batch_no)
    except ReconnectRequired as exc:
        held = _fail_batch(conn, ctx, tenant_id, realm_id, batch["entity"], batch_nos)
        log.error("tenant %s must be reconnected to QuickBooks (%s); %s record(s) held back",
                  tenant_id, exc.reason, held)
        return {"reconnect_required": True, "tenant_id": tenant_id, "failed": held}
    except ReadsBlocked as exc:  # a look-up before sending was refused: those records wait
        block = read_blocks.remember(conn, tenant_id, realm_id, exc)
        held = _fail_batch(conn, ctx, tenant_id, realm_id, batch["entity"], batch_nos, "reads_blocked",
                           **block.context())
        log.warning("tenant %s: QuickBooks blocks this app's reads until %s; %s record(s) held back",
                    tenant_id, block.until_text, held)
        return {"reads_blocked": block.until_text, "tenant_id": tenant_id, "failed": held}
    counts = dict(loader.counts)
    log.info("%s: %s", batch["label"], ", ".join(f"{k} {v}" for k, v in counts.items()))
    return counts


def _fail_batch(conn, ctx, tenant_id, realm_id, entity, batch_nos, code="reconnect_required",
                **context) -> int:
    failed = 0
    with conn.transaction():
        for batch_no in batch_nos:
            rows = conn.execute(load_sql("load/batch_items"), {
                "run_id": ctx.run_id, "tenant_id": tenant_id, "entity": entity,
                "batch_no": batch_no}).fetchall()
            for source_id, ref, _plan, amount in rows:
                prior = conn.execute(load_sql("outcomes/run_outcome"), {
                    "run_id": ctx.run_id, "tenant_id": tenant_id, "entity": entity,
                    "source_id": source_id}).fetchone()
                if prior and prior[0] == "synced":
                    continue
                outcomes.record(conn, ctx, outcomes.from_catalog(
                    code, tenant_id=tenant_id, entity=entity, source_id=source_id,
                    source_ref=ref, realm_id=realm_id, amount=amount, **context))
                failed += 1
    return failed


def run_once(conn: psycopg.Connection, window: stage.RunWindow, qbo: Callable[[int], Any],
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
    for group, task_id in (("customers", "load_customers"), ("sub_customers", "load_sub_customers"),
                           ("invoices", "load_invoices")):
        for batch in plan[group]:
            load_batch(conn, ctx(task_id), batch, qbo)
    for tenant in tenants:
        post_payments(conn, ctx("post_payments"), tenant, qbo)
    for tenant in tenants:
        payments_back(conn, ctx("payments_back"), tenant, qbo)
    return report_run(conn, window.run_id)
