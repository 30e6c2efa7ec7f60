"""A tenant's reconciliation: the app's records and QuickBooks' side by side, each verdict
stored in ``qbo_sync.reconciliation``.

Two scopes:

- ``run``: the records a run touched (an outcome in its sync log, and the invoices whose
  balance those move), at the end of the tenant's track in every ``qbo_sync`` run; a track
  that touched nothing reads nothing;
- ``full``: every record of the tenant that is in QuickBooks (the ``qbo_reconcile`` DAG,
  daily by default).

Either way QuickBooks is read with one query per entity and 1,000 records a read
(``reconcile.books``), through the tenant's client: its reads are paced by the company's
shared rate budget and counted (Intuit meters them).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

import psycopg

from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.reconcile import books, compare, explain, store

log = logging.getLogger(__name__)

RUN, FULL = "run", "full"


def touched(conn: psycopg.Connection, run_id: str, tenant_id: int) -> dict[str, list[int]]:
    """The records ``run_id`` touched for the tenant, by entity."""
    found: dict[str, list[int]] = defaultdict(list)
    for entity, source_id in conn.execute(load_sql("reconcile/touched"), {"run_id": run_id, "tenant_id": tenant_id}):
        if source_id is not None:
            found[entity].append(source_id)
    return found


def compare_tenant(
    conn: psycopg.Connection, tenant_id: int, client: Any, ids: dict[str, list[int]] | None
) -> list[compare.Check]:
    """Every record of the tenant in QuickBooks (``ids`` None), or those of ``ids`` by entity,
    compared and explained. Reads QuickBooks at most once per entity per 1,000 records."""

    def app(entity: str, sql: str) -> list[tuple]:
        if ids is not None and not ids.get(entity):
            return []
        wanted = None if ids is None else sorted(set(ids[entity]))
        return conn.execute(load_sql(f"reconcile/{sql}"), {"tenant_id": tenant_id, "ids": wanted}).fetchall()

    invoices = app("invoice", "app_invoices")
    payments = app("payment", "app_payments")
    notes = app("credit_memo", "app_credit_notes")
    customers = app("customer", "app_customers")
    refunds = app("refund", "app_refunds")
    cheques = app("refund", "app_refund_checks")  # refunds of credit paid back by cheque

    def read(entity: str, qbo_ids: list[str | None]) -> dict[str, dict[str, Any]]:
        wanted = [i for i in qbo_ids if i]
        return books.by_ids(client, entity, wanted) if wanted else {}

    qbo_invoices = read("Invoice", [r[2] for r in invoices])
    # One Payment query covers app payments, the payments that apply credit memos and those
    # that link refund cheques.
    live_cheques = [r for r in cheques if not r[4]]  # a voided one is deleted
    qbo_payments = read("Payment", [r[2] for r in payments] + [r[6] for r in notes] + [r[6] for r in live_cheques])
    qbo_memos = read("CreditMemo", [r[2] for r in notes])
    qbo_customers = read("Customer", [r[2] for r in customers])
    qbo_refunds = read("RefundReceipt", [r[2] for r in refunds if not r[4]])  # a voided one is deleted
    qbo_cheques = read("Purchase", [r[2] for r in live_cheques])
    tracking = _tracking(conn, tenant_id, [r[0] for r in invoices])
    checks = (
        [compare.invoice(r, qbo_invoices.get(r[2]), tracking.get(r[0])) for r in invoices]
        + [compare.payment(r, qbo_payments.get(r[2])) for r in payments]
        + [compare.credit_memo(r, qbo_memos.get(r[2]), qbo_payments.get(r[6]) if r[6] else None) for r in notes]
        + [compare.customer(r, qbo_customers.get(r[2])) for r in customers]
        + [compare.refund(r, qbo_refunds.get(r[2])) for r in refunds]
        + [compare.refund_check(r, qbo_cheques.get(r[2]), qbo_payments.get(r[6]) if r[6] else None) for r in cheques]
    )
    explain.explain(conn, tenant_id, checks)
    return checks


def _tracking(conn: psycopg.Connection, tenant_id: int, invoice_ids: list[int]) -> dict[int, tuple]:
    """Invoice id -> the (class Id, department Id) the tenant's settings and location links give
    it today (transform/tracking.py sends the same)."""
    if not invoice_ids:
        return {}
    from qbo_sync.extract.tracking import invoice_locations, tracking_settings

    settings = tracking_settings(conn, tenant_id)
    locations = invoice_locations(conn, invoice_ids) if settings.links else {}
    out = {}
    for invoice_id in invoice_ids:
        assigned = settings.assign(locations.get(invoice_id))
        out[invoice_id] = (assigned.class_id, assigned.department_id)
    return out


def reconcile_tenant(
    conn: psycopg.Connection,
    run_id: str,
    dag_id: str | None,
    tenant_id: int,
    client: Any,
    scope: str = RUN,
) -> dict[str, int]:
    """Compare, explain and store one tenant's records for ``run_id``; the counts for XCom.
    ``reads`` is what this reconciliation cost in QuickBooks reads."""
    ids = None
    if scope == RUN:
        ids = touched(conn, run_id, tenant_id)
    before = int(client.stats.get("reads", 0)) if hasattr(client, "stats") else 0
    checks = compare_tenant(conn, tenant_id, client, ids) if ids is None or any(ids.values()) else []
    reads = (int(client.stats.get("reads", 0)) if hasattr(client, "stats") else 0) - before
    store.write(conn, run_id, dag_id, scope, tenant_id, checks)
    differ = sum(1 for c in checks if c.differences)
    unexplained = explain.unexplained_count(checks)
    store.record_run(
        conn,
        run_id,
        dag_id,
        scope,
        tenant_id,
        state="done",
        checked=len(checks),
        differ=differ,
        unexplained=unexplained,
        reads=reads,
    )
    if differ:
        log.warning(
            "tenant %s: QuickBooks and the app differ on %s of %s record(s) checked (%s unexplained)",
            tenant_id,
            differ,
            len(checks),
            unexplained,
        )
    return {"checked": len(checks), "differ": differ, "unexplained": unexplained}


def left(conn: psycopg.Connection, run_id: str, dag_id: str | None, tenant_id: int, scope: str, note: str) -> None:
    """The tenant was not reconciled in this run, and why (said in the report and on the page)."""
    store.record_run(conn, run_id, dag_id, scope, tenant_id, state="left", note=note)


def failed(conn: psycopg.Connection, run_id: str, dag_id: str | None, tenant_id: int, scope: str, note: str) -> None:
    """The tenant's reconciliation stopped on an error (QuickBooks kept failing): said, retried."""
    store.record_run(conn, run_id, dag_id, scope, tenant_id, state="failed", note=note)
