"""Stage the records a run considers for one tenant into ``qbo_sync.run_items``.

Staging in the database (not XCom) keeps memory flat however many invoices there are,
and makes a cleared extract task safe to re-run: it replaces its tenant's share.
"""

from __future__ import annotations

import psycopg

from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.extract.records import RunWindow, Tenant


def tenants(conn: psycopg.Connection) -> list[Tenant]:
    rows = conn.execute(load_sql("extract/tenants")).fetchall()
    return [Tenant(*row) for row in rows]


def stage_tenant(conn: psycopg.Connection, tenant_id: int, window: RunWindow) -> dict[str, int]:
    """Stage invoices, then the customers they need. Returns counts per entity."""
    params = {
        "run_id": window.run_id,
        "tenant_id": tenant_id,
        "start": window.start,
        "end": window.end,
        "full_sync": window.full_sync,
    }
    with conn.transaction():
        conn.execute(load_sql("extract/clear_run_items"), params)
        invoices = conn.execute(load_sql("extract/stage_invoices"), params).rowcount
        customers = conn.execute(load_sql("extract/stage_customers"), params).rowcount
        payments = conn.execute(load_sql("extract/stage_payments"), params).rowcount
        credit_memos = conn.execute(load_sql("extract/stage_credit_notes"), params).rowcount
        voids = conn.execute(load_sql("extract/stage_voids"), params).rowcount
        refunds = conn.execute(load_sql("extract/stage_refunds"), params).rowcount
    conn.execute(load_sql("extract/analyze_run_items"))
    return {
        "invoice": invoices,
        "customer": customers,
        "payment": payments,
        "credit_memo": credit_memos,
        "invoice_void": voids,
        "refund": refunds,
    }
