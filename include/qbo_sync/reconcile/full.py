"""The full pass: every record of every tenant that is in QuickBooks, compared once a day (the
``qbo_reconcile`` DAG), tenants side by side like the sync's tracks.

A tenant that a sync run is working on right now (its lease in ``qbo_sync.tenant_tracks`` is
held and alive) is left to the next pass: halfway through a track, an invoice sent before its
payment would look like a difference. A tenant that must reconnect, or whose reads QuickBooks
blocks for the month, is left too, and the report says why. Reads go through the tenant's
client: paced in the company's shared rate budget (``qbo_client.budget``, the database's
``qbo_sync.rate_budget``), one read per 1,000 records of an entity.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import psycopg

from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.extract.records import Tenant
from qbo_sync.reconcile import run as reconciliation

log = logging.getLogger(__name__)


def reconcile_full(
    conn: psycopg.Connection, run_id: str, dag_id: str | None, tenant: Tenant, qbo: Callable[[int], Any]
) -> dict[str, Any]:
    """One tenant's full pass; counts for XCom (``left`` says why it was not done)."""
    from qbo_sync.pipeline import with_company
    from qbo_sync.tracks import lease

    tid = tenant.tenant_id
    minutes = int(lease.lease().total_seconds() // 60)
    busy = conn.execute(load_sql("reconcile/tenant_busy"), {"tenant_id": tid, "lease_minutes": minutes}).fetchone()
    if busy:
        note = f"sync run {busy[0]} is working on this tenant; the next pass compares it"
        reconciliation.left(conn, run_id, dag_id, tid, reconciliation.FULL, note)
        log.info("tenant %s: %s", tid, note)
        return {"tenant_id": tid, "left": note}

    def work(client: Any) -> dict[str, Any]:
        return reconciliation.reconcile_tenant(conn, run_id, dag_id, tid, client, reconciliation.FULL)

    def held(code: str, **context: object) -> int:
        why = (
            "the company must be reconnected"
            if code == "reconnect_required"
            else "QuickBooks blocks this app's reads this month"
        )
        reconciliation.left(conn, run_id, dag_id, tid, reconciliation.FULL, why)
        return 0

    try:
        return {"tenant_id": tid, **with_company(conn, tenant, qbo, work, held)}
    except Exception as exc:
        reconciliation.failed(conn, run_id, dag_id, tid, reconciliation.FULL, f"{type(exc).__name__}: {exc}"[:500])
        raise


def reconcile_shard(
    connect: Callable[[], Any],
    run_id: str,
    dag_id: str | None,
    tenants: list[Tenant],
    qbo_for: Callable[[Any], Callable[[int], Any]],
    at_once: int | None = None,
) -> list[dict[str, Any]]:
    """The full pass of one task's tenants, each on a thread with its own connection; an error
    of one tenant is raised once the others are done (a retry does them all again, replacing)."""
    from qbo_sync.tracks import shards

    def one(tenant: Tenant) -> dict[str, Any]:
        with connect() as conn:
            return reconcile_full(conn, run_id, dag_id, tenant, qbo_for(conn))

    results, errors = [], []
    for tenant, result, exc in shards.side_by_side(tenants, one, at_once=at_once, name="reconcile"):
        if exc is None:
            results.append(result)
        else:
            log.error("tenant %s: its reconciliation stopped on an error", tenant.tenant_id, exc_info=exc)
            errors.append((tenant, exc))
    if errors:
        tenant, exc = errors[0]
        raise RuntimeError(
            f"{len(errors)} tenant(s) could not be reconciled (first: tenant {tenant.tenant_id}: {exc}); "
            "the others were, and a retry of this task compares these again"
        ) from exc
    return results
