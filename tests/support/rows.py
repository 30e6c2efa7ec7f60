"""Insert test rows: identifiers quoted by psycopg.sql, every value a bind parameter."""

from __future__ import annotations

from typing import Any

from psycopg import sql


def insert(conn, table: str, **values: Any) -> None:
    schema, name = table.split(".")
    statement = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
        sql.Identifier(schema, name),
        sql.SQL(", ").join(sql.Identifier(k) for k in values),
        sql.SQL(", ").join(sql.Placeholder(k) for k in values),
    )
    conn.execute(statement, values)


def truncate_all(conn) -> None:
    """Every billing and qbo_sync table emptied (one database serves a whole test session)."""
    from qbo_sync.db.sqlfiles import load_sql

    conn.execute(load_sql("admin/truncate_all"))


def goodwill_credit_note(conn, *, at: Any, invoice_id: int = 101, client_id: int = 101) -> None:
    """Credit note 1 'CN-1' of tenant 1: 11.00 including GST (tax rate 1), a 'goodwill' line, on
    the invoice given, finalized at ``at``."""
    from decimal import Decimal

    insert(
        conn,
        "billing.credit_notes",
        id=1,
        tenant_id=1,
        number="CN-1",
        invoice_id=invoice_id,
        client_id=client_id,
        issue_date=at.date(),
        status="finalized",
        total=Decimal("11.00"),
        finalized_at=at,
        updated_at=at,
    )
    insert(
        conn,
        "billing.credit_note_lines",
        id=1,
        credit_note_id=1,
        description="goodwill",
        amount=Decimal("11.00"),
        tax_rate_id=1,
    )


def app_payment(
    conn,
    pid: int = 1,
    *,
    paid_at: Any,
    invoice_id: int = 101,
    amount: Any = "50.00",
    reference: str | None = "CARD-1",
    tenant_id: int = 1,
    method: str = "card",
) -> None:
    """Payment ``pid`` recorded in the app (origin 'app') on ``invoice_id``, paid and created at ``paid_at``."""
    from decimal import Decimal

    insert(
        conn,
        "billing.payments",
        id=pid,
        tenant_id=tenant_id,
        invoice_id=invoice_id,
        amount=Decimal(str(amount)),
        paid_at=paid_at,
        method=method,
        reference=reference,
        origin="app",
        created_at=paid_at,
    )
