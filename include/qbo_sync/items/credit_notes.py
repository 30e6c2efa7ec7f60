"""The QuickBooks Item of each credit note line, by the tenant's item policy.

A credit note line of the source contract carries no item of its own: it names the invoice
line it credits (``billing.credit_note_lines.invoice_line_id``), whose ``item_id`` is the
catalog item (reference/billing-source.md). Under the policy ``match`` or ``create`` such a
line goes to that catalog item's QuickBooks Item, found (or created) exactly as for invoice
lines (``items.create.items_for_load``), so a credit reverses the income of the account the
sale went to. A line linked to no invoice line, or to one without a catalog item, goes to the
tenant's default Service item, as every credit line does under the policy ``default``. A
catalog item with no QuickBooks Item fails the credit note before it is sent, with cause and
fix (``credit_note_item_not_in_quickbooks``, ``credit_note_item_not_created``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import psycopg

from qbo_sync.items.create import LoadItems, items_for_load
from qbo_sync.items.resolve import mapped_items, resolve_items
from qbo_sync.items.settings import item_settings


@dataclass(frozen=True)
class CreditLine:
    """What items_for_load reads of a line: its id, position, catalog item and its name."""

    id: int
    position: int
    item_id: int | None
    item_name: str | None


@dataclass(frozen=True)
class CreditNote:
    id: int
    lines: list[CreditLine] = field(default_factory=list)


@dataclass
class CreditItems:
    """Credit note line id -> QuickBooks Item Id (absent: the default item), and the credit
    notes that cannot go (credit note id -> (code, context))."""

    refs: dict[int, str] = field(default_factory=dict)
    failed: dict[int, tuple[str, dict[str, Any]]] = field(default_factory=dict)


def credit_note_items(
    conn: psycopg.Connection,
    client: Any,
    *,
    tenant_id: int,
    realm_id: str,
    lines: dict[int, list[tuple[int, int | None, str | None]]],
) -> CreditItems:
    """``lines``: credit note id -> [(line id, catalog item id, catalog item name)], in order."""
    out = CreditItems()
    settings = item_settings(conn, tenant_id)
    if settings.policy == "default":
        return out
    notes = [
        CreditNote(nid, [CreditLine(lid, n, item, name) for n, (lid, item, name) in enumerate(rows, start=1)])
        for nid, rows in lines.items()
    ]
    if not any(ln.item_id is not None for note in notes for ln in note.lines):
        return out
    # A catalog item no invoice has mapped yet (its invoice went under another policy): matched
    # the way invoice lines are, from the company's items (one read, only then).
    wanted = {ln.item_id for note in notes for ln in note.lines if ln.item_id is not None}
    unmapped = wanted - set(mapped_items(conn, tenant_id, realm_id, wanted))
    if unmapped:
        resolve_items(
            conn,
            tenant_id=tenant_id,
            realm_id=realm_id,
            settings=settings,
            item_rows=client.query("select * from Item where Active in (true, false)"),
            query=client.query,
            catalog_ids=unmapped,
        )
    found: LoadItems = items_for_load(
        conn, client, tenant_id=tenant_id, realm_id=realm_id, settings=settings, invoices=notes
    )
    for note in notes:
        for ln in note.lines:
            if ln.item_id is not None and ln.item_id in found.refs:
                out.refs[ln.id] = found.refs[ln.item_id]
        if note.id in found.failed:
            code, context = found.failed[note.id]
            out.failed[note.id] = (f"credit_note_{code}", context)
    return out
