"""At load: the QuickBooks Item of every catalog item on the batch's invoice lines, creating
the missing ones when the tenant's item policy is 'create'.

A created item is a ``Service`` (catalog kind 'service') or a ``NonInventory`` product (kind
'product'): the sync sells, it does not count stock, and Intuit's Item entity requires an
``IncomeAccountRef`` for a Service (it is sent for both). Its requestid is derived from the
tenant, the catalog item and the name, so a retry after a lost answer is replayed, not
repeated; a name QuickBooks already holds (6240, Duplicate Name Exists) is adopted when that
item is one the sync could have made (same type, same SKU), else the invoice fails with
QuickBooks' words and the fix.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import psycopg

from qbo_client import quote
from qbo_sync.extract.records import Invoice
from qbo_sync.items.match import NOT_IN_QUICKBOOKS, CatalogItem, Mapped, QboItem, quickbooks_name, usable
from qbo_sync.items.resolve import catalog_items, mapped_items, remember
from qbo_sync.items.settings import ItemSettings

log = logging.getLogger(__name__)

ITEM_TYPE = {"service": "Service", "product": "NonInventory"}


@dataclass
class LoadItems:
    """What the load needs: catalog item -> QuickBooks Item Id, the invoices that cannot go
    (invoice id -> (code, context)), and what to tell of the others (invoice id -> notes)."""

    refs: dict[int, str] = field(default_factory=dict)
    failed: dict[int, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    notes: dict[int, list[str]] = field(default_factory=dict)


def _requestid(tenant_id: int, catalog: CatalogItem, name: str) -> str:
    return hashlib.sha256(f"item:{tenant_id}:{catalog.id}:{name}".encode()).hexdigest()[:32]


def _find(client: Any, name: str) -> list[QboItem]:
    rows = client.query(f"select * from Item where Name = {quote(name)} and Active in (true, false)")
    return [QboItem.from_row(r) for r in rows]


def create_item(
    client: Any, tenant_id: int, catalog: CatalogItem, income_account_id: str
) -> tuple[QboItem | None, str | None]:
    """Create the catalog item in QuickBooks: (the item, None) or (None, QuickBooks' words)."""
    from qbo_client.errors import OutcomeUnknown, QboFaultError, TransientError

    name = quickbooks_name(catalog.name)
    body: dict[str, Any] = {
        "Name": name,
        "Type": ITEM_TYPE[catalog.kind_or_service],
        "IncomeAccountRef": {"value": income_account_id},
    }
    if catalog.sku and catalog.sku.strip():
        body["Sku"] = catalog.sku.strip()[:100]
    try:
        return QboItem.from_row(
            client.create("Item", body, requestid=_requestid(tenant_id, catalog, name)).entity
        ), None
    except TransientError:
        raise
    except OutcomeUnknown as exc:
        problem = str(exc)
    except QboFaultError as exc:
        problem = exc.fault.detail or exc.fault.message
        if exc.fault.code != "6240":
            return None, problem
    # A lost answer, or the name is taken: ours if it is what we would have made.
    for item in _find(client, name):
        if item.type == body["Type"] and (item.sku or None) == body.get("Sku") and usable(item) is None:
            return item, None
    return None, problem


def items_for_load(
    conn: psycopg.Connection,
    client: Any,
    *,
    tenant_id: int,
    realm_id: str,
    settings: ItemSettings,
    invoices: Iterable[Invoice],
) -> LoadItems:
    out = LoadItems()
    if settings.policy == "default":
        return out
    invoices = list(invoices)
    wanted = {ln.item_id for inv in invoices for ln in inv.lines if ln.item_id is not None}
    catalog = catalog_items(conn, tenant_id, wanted)
    mapped: dict[int, Mapped] = mapped_items(conn, tenant_id, realm_id, wanted)
    out.refs = {cid: m.qbo_item_id for cid, m in mapped.items()}
    problems: dict[int, tuple[str, dict[str, Any]]] = {}
    for cid in sorted(wanted - set(mapped)):
        item = catalog.get(cid)
        if item is None:
            continue  # not the tenant's catalog item: the line takes the default item
        account = settings.income_account(item.kind_or_service)
        if settings.policy != "create" or not account:
            problems[cid] = (NOT_IN_QUICKBOOKS, {})
            continue
        created, problem = create_item(client, tenant_id, item, account)
        if created is None:
            problems[cid] = ("item_not_created", {"detail": problem or "no answer"})
            continue
        remember(conn, tenant_id, realm_id, item, created, "created")
        out.refs[cid] = created.id
        log.info("tenant %s: created QuickBooks item %s for catalog item %s", tenant_id, created.label, cid)
    for inv in invoices:
        for ln in sorted(inv.lines, key=lambda ln: (ln.position, ln.id)):
            if ln.item_id in problems and inv.id not in out.failed:
                code, extra = problems[ln.item_id]
                item = catalog[ln.item_id]
                out.failed[inv.id] = (
                    code,
                    {
                        "item_position": ln.position,
                        "app_item": item.name,
                        "item_name": quickbooks_name(item.name),
                        "item_sku": item.sku or "(none)",
                        "item_kind": item.kind_or_service,
                        "catalog_item_id": item.id,
                        **extra,
                    },
                )
            m = mapped.get(ln.item_id)
            if m is not None and (m.app_name or "") != (ln.item_name or ""):
                out.notes.setdefault(inv.id, []).append(
                    f"line {ln.position}: the app's item '{ln.item_name}' was called '{m.app_name}' when it was "
                    f"mapped; it still posts to the same QuickBooks item (Id {m.qbo_item_id})"
                )
    return out
