"""Read staged records from the source, a chunk at a time, as the records of extract/records.py."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import psycopg

from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.extract.records import Client, Invoice, InvoiceLine, StagedInvoice, TaxRate, TenantSettings

CHUNK = 2000


def tenant_settings(conn: psycopg.Connection, tenant_id: int) -> TenantSettings:
    row = conn.execute(load_sql("extract/tenant_settings"), {"tenant_id": tenant_id}).fetchone()
    return TenantSettings(*row) if row else TenantSettings()


def tax_rates(conn: psycopg.Connection, tenant_id: int) -> dict[int, TaxRate]:
    rows = conn.execute(load_sql("extract/tenant_tax_rates"), {"tenant_id": tenant_id}).fetchall()
    return {row[0]: TaxRate(*row) for row in rows}


def staged_invoices(
    conn: psycopg.Connection, run_id: str, tenant_id: int, chunk: int = CHUNK
) -> Iterator[list[StagedInvoice]]:
    after = 0
    while True:
        rows = conn.execute(
            load_sql("extract/read_invoices"),
            {"run_id": run_id, "tenant_id": tenant_id, "after_id": after, "limit": chunk},
        ).fetchall()
        if not rows:
            return
        ids = [r[0] for r in rows]
        lines: dict[int, list[InvoiceLine]] = defaultdict(list)
        for lr in conn.execute(load_sql("extract/read_invoice_lines"), {"invoice_ids": ids}):
            lines[lr[0]].append(InvoiceLine(*lr[1:]))
        yield [StagedInvoice(Invoice(*r[:13], lines=tuple(lines.get(r[0], ()))), r[13]) for r in rows]
        after = ids[-1]


def staged_customers(
    conn: psycopg.Connection, run_id: str, tenant_id: int, chunk: int = CHUNK
) -> Iterator[list[tuple[Client, int]]]:
    """(client, depth) pairs, parents first, ``chunk`` at a time."""
    after = (-1, 0)
    while True:
        rows = conn.execute(
            load_sql("extract/read_customers"),
            {
                "run_id": run_id,
                "tenant_id": tenant_id,
                "after_depth": after[0],
                "after_id": after[1],
                "limit": chunk,
            },
        ).fetchall()
        if not rows:
            return
        yield [(Client(*r[:9]), r[9]) for r in rows]
        after = (rows[-1][9], rows[-1][0])
