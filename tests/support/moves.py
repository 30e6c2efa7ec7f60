"""Helpers for the tests of invoices moved to another client after sync (load/moves.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from qbo_sync.extract.records import RunWindow


def window(run_id: str) -> RunWindow:
    """Now, not a full sync: what the app changed since staging (the moved invoice) goes; a
    payment recorded hours ago is not staged by the window."""
    now = datetime.now(UTC)
    return RunWindow(run_id, now - timedelta(hours=1), now + timedelta(hours=1), full_sync=False)


def mapped(db, entity: str, source_id: int) -> str:
    return db.execute(
        "SELECT qbo_id FROM qbo_sync.entity_map WHERE tenant_id = 1 AND entity = %s AND source_id = %s",
        (entity, source_id),
    ).fetchone()[0]


def move_invoice(db, invoice_id: int, client_id: int) -> None:
    db.execute("UPDATE billing.invoices SET client_id = %s, updated_at = now() WHERE id = %s", (client_id, invoice_id))


def applied(record: dict[str, Any]) -> list[tuple[Decimal, str, str]]:
    """A Payment's applications as (amount, TxnType, TxnId)."""
    return [
        (Decimal(str(line["Amount"])).quantize(Decimal("0.01")), link["TxnType"], link["TxnId"])
        for line in record.get("Line") or []
        for link in line.get("LinkedTxn") or []
    ]


def posts(log: list[dict]) -> list[str]:
    """The write requests of an emulator request log, as 'POST path?query'."""
    return [f"POST {r['path']}?{r['query']}" for r in log if r["method"] == "POST"]


# ---------------------------------------------------------------------- credits moved with an invoice
CREDIT_TAG = "[qbo-sync credit_application 1]"


def synced_credit_note(db, qbo_app, qbo_factory) -> dict[str, Any]:
    """Clients 101 and 102, invoices 101 and 102 (110.00 each); credit note CN-1 of 11.00
    applied to invoice 101; all synced by run r1. Returns the company."""
    from qbo_sync.pipeline import run_once
    from support.rows import goodwill_credit_note
    from support.runs import full_window, logged
    from support.small_tenant import small_tenant

    company = small_tenant(db, qbo_app, 1, {1: None, 2: None})
    goodwill_credit_note(db, at=datetime.now(UTC) - timedelta(hours=3))
    run_once(db, full_window("r1"), qbo_factory)
    assert logged(db, "r1", "credit_memo", 1, "status") == ("synced",)
    return company


def credit_applied_once(db, qbo_factory, invoice: str, memo: str, customer: str, balance: str) -> dict[str, Any]:
    """Asserts QuickBooks holds credit note CN-1 under ``customer`` with exactly one application of
    ours (11.00 of the memo to ``invoice``, which owes ``balance``), recorded in our map; returns it."""
    with qbo_factory(1) as qbo:
        held = qbo.read("Invoice", invoice)
        assert held["CustomerRef"]["value"] == customer and Decimal(str(held["Balance"])) == Decimal(balance)
        credit = qbo.read("CreditMemo", memo)
        assert credit["CustomerRef"]["value"] == customer and Decimal(str(credit["RemainingCredit"])) == 0
        ours = [p for p in qbo.query("select * from Payment") if CREDIT_TAG in (p.get("PrivateNote") or "")]
        assert len(ours) == 1, ours  # applied again once, never twice
        (now,) = ours
        assert now["CustomerRef"]["value"] == customer
        assert sorted(applied(now)) == [(Decimal("11.00"), "CreditMemo", memo), (Decimal("11.00"), "Invoice", invoice)]
    assert mapped(db, "credit_application", 1) == now["Id"]
    return now


def credit_mark(db) -> dict[str, Any] | None:
    """The 'moving with its invoice' mark on credit note 1's recorded state (None: none)."""
    state = db.execute(
        "SELECT source_state FROM qbo_sync.entity_map WHERE tenant_id = 1 AND entity = 'credit_memo' AND source_id = 1"
    ).fetchone()[0]
    return (state or {}).get("moving_with_invoice")
