"""The sync's stages as plain functions, with no Airflow in them, and a tenant's track
through them: extract -> validate -> load -> payments out -> payments back -> reconcile.

Each stage takes a psycopg connection, the run context and a ``Tenant``
(``extract/records.py``), and returns counts small enough for XCom (never source rows or
secrets). ``sync_tenant`` is one tenant's track under its lease; ``sync_shard`` runs the
tracks of one task's tenants side by side (the DAG's mapped ``sync`` task); ``run_once`` is
what one DAG run does, in one process. ``qbo`` is a factory returning the QuickBooks client
of a tenant: the DAG gets it from the QuickBooks hook, tests from the emulator.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import psycopg

from qbo_sync import outcomes
from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.extract import read, stage
from qbo_sync.extract.records import RunWindow, Tenant
from qbo_sync.report.run import report_run
from qbo_sync.tracks import lease, shards

log = logging.getLogger(__name__)

TASK_BATCH_SIZE = 600  # records per load batch (a heartbeat each); QuickBooks batches of 30 inside

# hold_back(code, **context) -> how many records got that explained outcome
HoldBack = Callable[..., int]


def list_tenants(conn: psycopg.Connection, tenant_ids: list[int] | None = None) -> list[Tenant]:
    """Every connected tenant whose sync is on; with ``tenant_ids``, only those (a backfill of
    chosen tenants). An id that is not such a tenant is an error that names it."""
    tenants = stage.tenants(conn)
    if not tenant_ids:
        return tenants
    wanted = set(tenant_ids)
    missing = sorted(wanted - {t.tenant_id for t in tenants})
    if missing:
        raise ValueError(
            f"tenant_ids {missing} are not tenants connected to QuickBooks with their sync on "
            "(python -m qbo_sync.companies status lists them); correct the run's tenant_ids"
        )
    return [t for t in tenants if t.tenant_id in wanted]


def extract_tenant(
    conn: psycopg.Connection, ctx: outcomes.RunContext, tenant: Tenant, window: RunWindow
) -> dict[str, int]:
    counts = stage.stage_tenant(conn, tenant.tenant_id, window)
    log.info(
        "tenant %s: staged %s for %s..%s%s",
        tenant.tenant_id,
        ", ".join(f"{n} {entity}(s)" for entity, n in counts.items()),
        window.start.isoformat(),
        window.end.isoformat(),
        " (full sync)" if window.full_sync else "",
    )
    return counts


def fail_all_staged(
    conn: psycopg.Connection, ctx: outcomes.RunContext, tenant: Tenant, code: str, **context: object
) -> int:
    """Give every staged record of a tenant the same explained failure (e.g. reconnect)."""
    rows = conn.execute(load_sql("load/fail_staged"), {"run_id": ctx.run_id, "tenant_id": tenant.tenant_id}).fetchall()
    with conn.transaction():
        for entity, source_id, ref, amount in rows:
            outcomes.record(
                conn,
                ctx,
                outcomes.from_catalog(
                    code,
                    tenant_id=tenant.tenant_id,
                    entity=entity,
                    source_id=source_id,
                    source_ref=ref,
                    realm_id=tenant.realm_id,
                    amount=amount,
                    **context,
                ),
            )
            outcomes.set_state(conn, ctx.run_id, tenant.tenant_id, entity, source_id, "invalid")
    return len(rows)


def with_company(
    conn: psycopg.Connection,
    tenant: Tenant,
    qbo: Callable[[int], Any],
    work: Callable[[Any], dict[str, Any]],
    hold_back: HoldBack,
) -> dict[str, Any]:
    """The one guard around every step that talks to a tenant's QuickBooks company.

    A tenant that must reconnect, or whose reads QuickBooks blocks this month (remembered, or
    learnt now), makes no request: ``hold_back`` gives the step's records their explained
    outcome and the step returns ``reconnect_required`` or ``reads_blocked`` with how many were
    held back. Otherwise ``work(client)`` runs and its counts are returned."""
    from qbo_client.errors import ReadsBlocked, ReconnectRequired
    from qbo_sync.companies import read_blocks

    tid = tenant.tenant_id
    reason = tenant.status_reason if tenant.status == "reconnect_required" else None
    block = None
    if reason is None:
        block = read_blocks.current(conn, tid)  # remembered: do not ask QuickBooks again
    if reason is None and block is None:
        try:
            with qbo(tid) as client:
                counts = work(client)
                return {**counts, "reads": counts.get("reads", 0) + client.stats.get("reads", 0)}
        except ReconnectRequired as exc:
            reason = exc.reason or str(exc)
        except ReadsBlocked as exc:  # a transaction of the step rolled back; nothing is half-done
            block = read_blocks.remember(conn, tid, tenant.realm_id, exc)
    if block is None:
        held = hold_back("reconnect_required")
        log.error(
            "tenant %s must be reconnected to QuickBooks (%s); %s record(s) held back",
            tid,
            reason or "its connection is marked reconnect_required",
            held,
        )
        # Learnt now (QuickBooks refused the tokens in this step), or already known before the run.
        learnt = tenant.status != "reconnect_required"
        return {"tenant_id": tid, "reconnect_required": True, "reconnect_learnt": learnt, "failed": held}
    held = hold_back("reads_blocked", **block.context())
    log.warning(
        "tenant %s: QuickBooks blocks this app's reads until %s (monthly CorePlus allowance "
        "spent); %s record(s) held back, no request made",
        tid,
        block.until_text,
        held,
    )
    return {"tenant_id": tid, "reads_blocked": block.until_text, "failed": held}


def _staged_hold_back(conn: psycopg.Connection, ctx: outcomes.RunContext, tenant: Tenant) -> HoldBack:
    return lambda code, **context: fail_all_staged(conn, ctx, tenant, code, **context)


def validate_tenant(
    conn: psycopg.Connection, ctx: outcomes.RunContext, tenant: Tenant, qbo: Callable[[int], Any]
) -> dict[str, Any]:
    staged = conn.execute(
        load_sql("validate/staged_count"), {"run_id": ctx.run_id, "tenant_id": tenant.tenant_id}
    ).fetchone()[0]
    if not staged:  # nothing to check: spend none of the company's request budget
        return {"customers": {}, "invoices": {}}

    def work(client: Any) -> dict[str, Any]:
        from qbo_sync.load.currency import QuickBooksRates
        from qbo_sync.validate.company import QuickBooksLookups
        from qbo_sync.validate.customers import validate_customers
        from qbo_sync.validate.invoices import validate_invoices

        lookups = QuickBooksLookups(client.query)
        facts = lookups.facts()
        held = _fail_if_company_differs(conn, ctx, tenant, facts)
        if held is not None:
            return held
        settings = read.tenant_settings(conn, tenant.tenant_id)
        customers = validate_customers(
            conn, ctx, tenant_id=tenant.tenant_id, realm_id=tenant.realm_id, settings=settings, lookups=lookups
        )
        invoices = validate_invoices(
            conn,
            ctx,
            tenant_id=tenant.tenant_id,
            realm_id=tenant.realm_id,
            connected_at=tenant.connected_at,
            settings=settings,
            facts=facts,
            lookups=lookups,
            exchange_rates=QuickBooksRates(client),
        )
        log.info("tenant %s validated: customers %s, invoices %s", tenant.tenant_id, customers, invoices)
        return {"customers": customers, "invoices": invoices}

    return with_company(conn, tenant, qbo, work, _staged_hold_back(conn, ctx, tenant))


def _fail_if_company_differs(
    conn: psycopg.Connection, ctx: outcomes.RunContext, tenant: Tenant, facts: Any
) -> dict[str, Any] | None:
    """Settings that contradict the company (its country, home currency, tax codes of another
    region) fail every staged record with the fix, before anything is sent."""
    from qbo_sync.companies.facts import recorded_company
    from qbo_sync.validate.company_settings import conflicts_text, settings_conflicts

    conflicts = settings_conflicts(
        tenant.tenant_id, recorded_company(conn, tenant.tenant_id), facts.company, facts.tax_codes
    )
    if not conflicts:
        return None
    problems, fixes = conflicts_text(conflicts)
    failed = fail_all_staged(conn, ctx, tenant, "company_settings_mismatch", problems=problems, fixes=fixes)
    log.error(
        "tenant %s: settings do not match its QuickBooks company (%s); %s record(s) held back",
        tenant.tenant_id,
        problems,
        failed,
    )
    return {"tenant_id": tenant.tenant_id, "customers": {}, "invoices": {}, "failed": failed}


def load_tenant(
    conn: psycopg.Connection,
    ctx: outcomes.RunContext,
    tenant: Tenant,
    qbo: Callable[[int], Any],
    size: int = TASK_BATCH_SIZE,
) -> dict[str, Any]:
    """Load a tenant's ready records: customers (parents before sub-customers, depth by depth),
    then invoices, in QuickBooks batches of at most 30 inside batches of ``size``."""
    params = {"run_id": ctx.run_id, "tenant_id": tenant.tenant_id}
    conn.execute(load_sql("load/assign_batches"), {**params, "size": size})
    plan = conn.execute(load_sql("load/batches"), params).fetchall()
    if not plan:
        return {}

    def work(client: Any) -> dict[str, Any]:
        from qbo_sync.load.loader import BatchLoader
        from qbo_sync.load.progress import LoadProgress

        totals: dict[str, int] = {}
        for entity, _batch_no, _depth, records, *_ in plan:
            totals[entity] = totals.get(entity, 0) + records
        progress = LoadProgress(conn, tenant.tenant_id, ctx.run_id, totals)
        loader = BatchLoader(conn, ctx, tenant.tenant_id, tenant.realm_id, client, progress)
        with progress.running():  # "tenant 3: 12,400 of 20,000 invoices (62%), ..." every minute
            for entity, batch_no, _depth, records, first_ref, last_ref in plan:
                lease.at_stage(conn, tenant.tenant_id, ctx.run_id, "load")  # the track's heartbeat
                if entity != progress.entity:
                    progress.finish()
                    progress.begin(entity)
                progress.batch_started(records)
                before = dict(loader.counts)
                if entity == "customer":
                    loader.load_customers(batch_no)
                else:
                    loader.load_invoices(batch_no)
                progress.batch_done()
                done = {k: v - before.get(k, 0) for k, v in loader.counts.items() if v - before.get(k, 0)}
                refs = f"{first_ref}..{last_ref}" if first_ref != last_ref else f"{first_ref}"
                log.info(
                    "tenant %s - %ss %s (%s): %s",
                    tenant.tenant_id,
                    entity,
                    refs,
                    records,
                    ", ".join(f"{k} {v}" for k, v in done.items()) or "nothing to send",
                )
            progress.finish()
        return dict(loader.counts)

    return with_company(
        conn, tenant, qbo, work, lambda code, **context: _fail_planned(conn, ctx, tenant, plan, code, **context)
    )


def _fail_planned(
    conn: psycopg.Connection, ctx: outcomes.RunContext, tenant: Tenant, plan: list[Any], code: str, **context: object
) -> int:
    """Records of a tenant's load plan not synced yet get the same explained failure."""
    failed = 0
    with conn.transaction():
        for entity, batch_no, *_ in plan:
            rows = conn.execute(
                load_sql("load/batch_items"),
                {"run_id": ctx.run_id, "tenant_id": tenant.tenant_id, "entity": entity, "batch_no": batch_no},
            ).fetchall()
            for source_id, ref, _plan, amount in rows:
                prior = conn.execute(
                    load_sql("outcomes/run_outcome"),
                    {"run_id": ctx.run_id, "tenant_id": tenant.tenant_id, "entity": entity, "source_id": source_id},
                ).fetchone()
                if prior and prior[0] == "synced":
                    continue
                outcomes.record(
                    conn,
                    ctx,
                    outcomes.from_catalog(
                        code,
                        tenant_id=tenant.tenant_id,
                        entity=entity,
                        source_id=source_id,
                        source_ref=ref,
                        realm_id=tenant.realm_id,
                        amount=amount,
                        **context,
                    ),
                )
                failed += 1
    return failed


def post_payments(
    conn: psycopg.Connection, ctx: outcomes.RunContext, tenant: Tenant, qbo: Callable[[int], Any]
) -> dict[str, Any]:
    """App payments, credit notes and invoice voids of one tenant, after its invoices. While
    reads are blocked they wait too: posting looks payments up first, so none is doubled."""

    def work(client: Any) -> dict[str, Any]:
        from qbo_sync.payments.outbound import post_tenant

        counts = post_tenant(conn, ctx, tenant.tenant_id, tenant.realm_id, tenant.connected_at, client)
        log.info("tenant %s posted: %s", tenant.tenant_id, counts)
        return counts

    return with_company(conn, tenant, qbo, work, _staged_hold_back(conn, ctx, tenant))


def payments_back(
    conn: psycopg.Connection, ctx: outcomes.RunContext, tenant: Tenant, qbo: Callable[[int], Any]
) -> dict[str, Any]:
    """QuickBooks payments of one tenant read back into the app, and changes made in QuickBooks
    to our records explained (one change-data-capture read for both). Nothing of the app's is
    held back when QuickBooks cannot be read: the cursor does not move, and the next run resumes."""

    def work(client: Any) -> dict[str, Any]:
        from qbo_sync.payments.inbound import import_tenant

        counts = import_tenant(conn, ctx, tenant.tenant_id, tenant.realm_id, tenant.connected_at, client)
        log.info("tenant %s payments from QuickBooks: %s", tenant.tenant_id, counts)
        return counts

    return with_company(conn, tenant, qbo, work, lambda code, **context: 0)


def reconcile(
    conn: psycopg.Connection, ctx: outcomes.RunContext, tenant: Tenant, qbo: Callable[[int], Any]
) -> dict[str, Any]:
    """The records this run touched, compared with QuickBooks (``qbo_sync.reconcile``): one
    query per entity, none when the track touched nothing. Held back with the tenant's other
    reads (reconnect, reads blocked), and said so in the report."""
    from qbo_sync.reconcile import run as reconciliation

    if not any(reconciliation.touched(conn, ctx.run_id, tenant.tenant_id).values()):
        return {"checked": 0}  # nothing to compare: no read, nothing to report
    if tenant.status == "reconnect_required":  # said once already, by the steps before
        reconciliation.left(conn, ctx.run_id, ctx.dag_id, tenant.tenant_id, reconciliation.RUN, RECONNECT_NOTE)
        return {"checked": 0}

    def work(client: Any) -> dict[str, Any]:
        return reconciliation.reconcile_tenant(conn, ctx.run_id, ctx.dag_id, tenant.tenant_id, client)

    def held(code: str, **context: object) -> int:
        why = RECONNECT_NOTE if code == "reconnect_required" else "QuickBooks blocks this app's reads this month"
        reconciliation.left(conn, ctx.run_id, ctx.dag_id, tenant.tenant_id, reconciliation.RUN, why)
        return 0

    return with_company(conn, tenant, qbo, work, held)


RECONNECT_NOTE = "the company must be reconnected"
REFUNDS_MOVED = ("refunds_imported", "refunds_updated", "refunds_voided")  # payments.refunds_in


STAGES = ("extract", "validate", "load", "post_payments", "payments_back", "reconcile")


def sync_tenant(
    conn: psycopg.Connection, ctx: outcomes.RunContext, tenant: Tenant, window: RunWindow, qbo: Callable[[int], Any]
) -> dict[str, Any]:
    """One tenant's track through a run: extract -> validate -> load -> payments out ->
    payments back -> reconcile, under the tenant's lease (one run at a time works on a tenant).

    A systemic fault (QuickBooks still failing after the client's retries) ends the track:
    every record it staged and did not finish gets the fault's explained, retryable outcome,
    and the result says ``systemic`` so that the task fails and Airflow retries it; the retry
    resumes this tenant only (finished tenants are left alone). ``reads`` counts the QuickBooks
    reads the track spent (Intuit meters them); an idle tenant's payments are read back only
    every ``QBO_SYNC_IDLE_POLL_MINUTES``."""
    from qbo_client.errors import TransientError

    started = datetime.now(UTC)
    claim = lease.claim_for(conn, tenant.tenant_id, window)
    if not claim.ours:
        why = claim.why_not(tenant.tenant_id)
        log.warning("%s", why)
        if not claim.finished_here:
            lease.record_run(conn, tenant.tenant_id, window.run_id, state="left", note=why)
        return {"tenant_id": tenant.tenant_id, "left": why}
    window = lease.widened(window, claim.pending_from, claim.pending_full)
    if claim.interrupted:
        ctx = dataclasses.replace(ctx, interrupted=True)

    def back() -> dict[str, Any]:
        due, why_not = lease.poll_due(conn, tenant.tenant_id)
        if not due:
            log.info("tenant %s: %s", tenant.tenant_id, why_not)
            return {"skipped": why_not}
        got = payments_back(conn, ctx, tenant, qbo)
        moved = any(got.get(k) for k in ("imported", "updated", "voided", "changed_in_quickbooks", *REFUNDS_MOVED))
        lease.polled(conn, tenant.tenant_id, window.run_id, active=moved)
        return {**got, "polled": True}

    steps = {
        "extract": lambda: extract_tenant(conn, ctx, tenant, window),
        "validate": lambda: validate_tenant(conn, ctx, tenant, qbo),
        "load": lambda: load_tenant(conn, ctx, tenant, qbo),
        "post_payments": lambda: post_payments(conn, ctx, tenant, qbo),
        "payments_back": back,
        "reconcile": lambda: reconcile(conn, ctx, tenant, qbo),
    }
    result: dict[str, Any] = {"tenant_id": tenant.tenant_id}
    staged = False

    def end(state: str, note: str | None = None) -> None:
        lease.finish(conn, tenant.tenant_id, window, failed=state == "failed", staged=staged)
        result["reads"] = sum(r.get("reads", 0) for r in result.values() if isinstance(r, dict))
        lease.record_run(
            conn,
            tenant.tenant_id,
            window.run_id,
            state=state,
            reads=result["reads"],
            polled_back=bool(result.get("payments_back", {}).get("polled")),
            note=note,
            started_at=started,
        )

    try:
        for stage_name in STAGES:
            lease.at_stage(conn, tenant.tenant_id, window.run_id, stage_name)
            result[stage_name] = got = steps[stage_name]()
            if stage_name == "extract":
                staged = True
                if any(got.values()):
                    lease.mark_active(conn, tenant.tenant_id, window.run_id)
            if got.get("reconnect_required"):
                result["reconnect_required"] = True
                result["reconnect_learnt"] = result.get("reconnect_learnt") or bool(got.get("reconnect_learnt"))
            if got.get("reads_blocked"):
                result["reads_blocked"] = got["reads_blocked"]
    except TransientError as exc:
        held = _explain_unanswered(conn, ctx, tenant, exc.fault)
        log.error(
            "tenant %s: QuickBooks kept failing (%s); %s record(s) wait with that explanation and "
            "are tried again by this task's retry or the next run",
            tenant.tenant_id,
            exc.fault.summary(),
            held,
        )
        end("failed", f"QuickBooks kept failing: {exc.fault.summary()}")
        return {**result, "systemic": exc.fault.summary(), "failed": held}
    except BaseException as exc:
        end("failed", f"stopped on {type(exc).__name__}")
        raise
    end("done")
    return result


def _explain_unanswered(conn: psycopg.Connection, ctx: outcomes.RunContext, tenant: Tenant, fault: Any) -> int:
    rows = conn.execute(load_sql("tracks/unanswered"), {"run_id": ctx.run_id, "tenant_id": tenant.tenant_id}).fetchall()
    outcomes.record_many(
        conn,
        ctx,
        [
            outcomes.from_fault(
                fault,
                tenant_id=tenant.tenant_id,
                realm_id=tenant.realm_id,
                entity=entity,
                source_id=source_id,
                source_ref=ref,
                action="create",
                amount=amount,
            )
            for entity, source_id, ref, amount in rows
        ],
    )
    return len(rows)


def sync_shard(
    connect: Callable[[], Any],
    ctx: outcomes.RunContext,
    tenants: list[Tenant],
    window: RunWindow,
    qbo_for: Callable[[Any], Callable[[int], Any]],
    at_once: int | None = None,
) -> list[dict[str, Any]]:
    """The tracks of one task's tenants, each on a thread of its own with its own database
    connection (``connect()``, a context manager) and QuickBooks clients (``qbo_for(conn)``):
    a throttled or failing tenant never holds back the others. Results in tenant order; an
    unexpected error of a tenant is raised once every other tenant's track has ended."""

    def one(tenant: Tenant) -> dict[str, Any]:
        with connect() as conn:
            return sync_tenant(conn, ctx, tenant, window, qbo_for(conn))

    results, errors = [], []
    for tenant, result, exc in shards.side_by_side(tenants, one, at_once=at_once, name="track"):
        if exc is None:
            results.append(result)
            continue
        log.error("tenant %s: its track stopped on an unexpected error", tenant.tenant_id, exc_info=exc)
        errors.append((tenant, exc))
        results.append({"tenant_id": tenant.tenant_id, "error": f"{type(exc).__name__}: {exc}"})
    if errors:
        tenant, exc = errors[0]
        raise RuntimeError(
            f"{len(errors)} tenant track(s) stopped on an unexpected error (first: tenant "
            f"{tenant.tenant_id}: {exc}); the others finished, and a retry resumes only "
            "the unfinished ones"
        ) from exc
    return results


def run_once(
    conn: psycopg.Connection, window: RunWindow, qbo: Callable[[int], Any], dag_id: str = "qbo_sync"
) -> tuple[str, int]:
    """What one DAG run does, without Airflow, in this process: every tenant's track (one after
    the other, on this connection), then the report. For tests, benchmarks and debugging;
    production runs go through the DAG, whose tasks run tracks side by side."""
    ctx = outcomes.RunContext(dag_id, window.run_id, "sync", None, 1)
    for tenant in list_tenants(conn):
        sync_tenant(conn, ctx, tenant, window, qbo)
    return report_run(conn, window.run_id)
