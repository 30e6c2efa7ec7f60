"""``qbo_sync.reconciliation`` and its companions: verdicts written, totals read back.

Every statement is a file of ``sql/reconcile/``. A re-run of the same run replaces a tenant's
verdicts (cleared, then written in one statement), like the sync log's one outcome per run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import psycopg

from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.reconcile.compare import Check

DAYS_SHOWN = 30


def write(
    conn: psycopg.Connection, run_id: str, dag_id: str | None, scope: str, tenant_id: int, checks: list[Check]
) -> None:
    """Replace this run's verdicts for the tenant with ``checks`` (one transaction)."""
    with conn.transaction():
        conn.execute(load_sql("reconcile/clear_checks"), {"run_id": run_id, "tenant_id": tenant_id})
        if not checks:
            return
        conn.execute(
            load_sql("reconcile/upsert_checks"),
            {
                "run_id": run_id,
                "dag_id": dag_id,
                "scope": scope,
                "tenant_id": tenant_id,
                "entity": [c.entity for c in checks],
                "source_id": [c.source_id for c in checks],
                "source_ref": [c.ref for c in checks],
                "qbo_id": [c.qbo_id for c in checks],
                "amount": [c.amount for c in checks],
                "currency": [c.currency for c in checks],
                "fields": [c.fields for c in checks],
                "app_value": [c.app_value for c in checks],
                "qbo_value": [c.qbo_value for c in checks],
                "verdict": [c.verdict for c in checks],
                "explanation": [c.explanation for c in checks],
            },
        )


def record_run(
    conn: psycopg.Connection,
    run_id: str,
    dag_id: str | None,
    scope: str,
    tenant_id: int,
    *,
    state: str,
    checked: int = 0,
    differ: int = 0,
    unexplained: int = 0,
    reads: int = 0,
    note: str | None = None,
) -> None:
    conn.execute(
        load_sql("reconcile/record_run"),
        {
            "run_id": run_id,
            "tenant_id": tenant_id,
            "dag_id": dag_id,
            "scope": scope,
            "state": state,
            "checked": checked,
            "differ": differ,
            "unexplained": unexplained,
            "reads": reads,
            "note": note,
        },
    )


@dataclass
class Difference:
    entity: str
    source_id: int
    ref: str
    qbo_id: str | None
    amount: Decimal | None
    fields: str
    app_value: str
    qbo_value: str
    verdict: str
    explanation: str
    alerted_before: bool = False

    def summary(self) -> str:
        sides = "; ".join(
            f"{f} QuickBooks {q[len(f) + 1 :]}, app {a[len(f) + 1 :]}"
            for f, a, q in zip(
                self.fields.split(", "), self.app_value.split("; "), self.qbo_value.split("; "), strict=False
            )
        )
        return f"{self.entity.replace('_', ' ')} {self.ref}: {sides}"


@dataclass
class TenantReconciliation:
    """One tenant's reconciliation in one run, as the report, page and alerts show it."""

    tenant_id: int
    scope: str = "run"
    state: str = "done"
    reads: int = 0
    note: str | None = None
    # entity -> (records, {currency: amount}): amounts are never summed across currencies
    agree: dict[str, tuple[int, dict[str, Decimal]]] = field(default_factory=dict)
    differences: list[Difference] = field(default_factory=list)

    @property
    def unexplained(self) -> list[Difference]:
        return [d for d in self.differences if d.verdict == "unexplained"]


def run_results(conn: psycopg.Connection, run_id: str) -> dict[int, TenantReconciliation]:
    """Every tenant's reconciliation in ``run_id`` (reads only)."""
    out: dict[int, TenantReconciliation] = {}
    for tid, scope, state, _checked, _differ, _unexplained, reads, note in conn.execute(
        load_sql("reconcile/run_states"), {"run_id": run_id}
    ):
        out[tid] = TenantReconciliation(tid, scope, state, reads, note)
    for tid, entity, currency, agree, amount, _differ in conn.execute(
        load_sql("reconcile/run_totals"), {"run_id": run_id}
    ):
        rec = out.setdefault(tid, TenantReconciliation(tid))
        records, amounts = rec.agree.get(entity, (0, {}))
        if agree:
            amounts[(currency or "").strip()] = amount
        rec.agree[entity] = (records + agree, amounts)
    for row in conn.execute(load_sql("reconcile/run_differences"), {"run_id": run_id}):
        tid, *values = row
        out.setdefault(tid, TenantReconciliation(tid)).differences.append(Difference(*values))
    return out


def remember_alerted(conn: psycopg.Connection, run_id: str, tenant_id: int) -> None:
    """The tenant's unexplained differences of ``run_id`` have been alerted: never again."""
    conn.execute(load_sql("reconcile/remember_alerted"), {"run_id": run_id, "tenant_id": tenant_id})


@dataclass(frozen=True)
class Day:
    day: date
    synced: Decimal  # invoice amount synced that day, in the home currency
    differ: int  # records found differing that day
    unexplained: int
    others: str | None = None  # amounts synced in other currencies: '120.00 EUR; 30.00 USD'
    currency: str | None = None  # the home currency (of ``synced``)


def daily(conn: psycopg.Connection, tenant_id: int, days: int = DAYS_SHOWN) -> list[Day]:
    """The tenant's last ``days`` days (UTC), oldest first: amount synced (home currency; the
    others listed apart, never added into it), records differing."""
    return [Day(*row) for row in conn.execute(load_sql("reconcile/daily"), {"tenant_id": tenant_id, "days": days})]


@dataclass(frozen=True)
class Latest:
    run_id: str
    dag_id: str | None
    scope: str
    state: str
    checked: int
    differ: int
    unexplained: int
    reads: int
    note: str | None
    finished_at: datetime


def latest(conn: psycopg.Connection, tenant_id: int) -> Latest | None:
    row = conn.execute(load_sql("reconcile/latest"), {"tenant_id": tenant_id}).fetchone()
    return Latest(*row) if row else None
