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
