"""Before invoices are validated: the QuickBooks Item of every catalog item their lines use,
by the tenant's item policy, from the company's items that validation reads anyway (no
extra request, except the income accounts when an item is to be created). Found items are
kept in the map; what cannot be found is returned for validation to fail the invoices."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import psycopg

from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.items.match import CatalogItem, Mapped, QboItem, Resolution, resolve
from qbo_sync.items.settings import ItemSettings

Query = Callable[[str], list[dict[str, Any]]]


def mapped_items(
    conn: psycopg.Connection, tenant_id: int, realm_id: str, catalog_ids: Iterable[int]
) -> dict[int, Mapped]:
    """The map rows of these catalog items made for this company (another company's Ids mean nothing here)."""
    rows = conn.execute(
        load_sql("items/map_of_items"), {"tenant_id": tenant_id, "catalog_item_ids": sorted(set(catalog_ids))}
    ).fetchall()
    return {r[0]: Mapped(r[1], r[2], r[3], r[4]) for r in rows if r[6] == realm_id}


def catalog_items(conn: psycopg.Connection, tenant_id: int, catalog_ids: Iterable[int]) -> dict[int, CatalogItem]:
    rows = conn.execute(
        load_sql("items/catalog_items"), {"tenant_id": tenant_id, "catalog_item_ids": sorted(set(catalog_ids))}
    ).fetchall()
    return {r[0]: CatalogItem(*r) for r in rows}


def remember(
    conn: psycopg.Connection, tenant_id: int, realm_id: str, catalog: CatalogItem, item: QboItem, matched_by: str
) -> None:
    conn.execute(
        load_sql("items/upsert_map"),
        {
            "tenant_id": tenant_id,
            "catalog_item_id": catalog.id,
            "realm_id": realm_id,
            "qbo_item_id": item.id,
            "matched_by": matched_by,
            "app_name": catalog.name or "",
            "app_sku": catalog.sku,
            "qbo_name": item.full_name,
            "qbo_type": item.type,
            "qbo_active": item.active,
        },
    )


def income_accounts(query: Query) -> dict[str, bool]:
    """Account Id -> active, for every account of the company (one query)."""
    return {
        str(r["Id"]): bool(r.get("Active", True)) for r in query("select * from Account where Active in (true, false)")
    }


def resolve_items(
    conn: psycopg.Connection,
    *,
    tenant_id: int,
    realm_id: str,
    settings: ItemSettings,
    item_rows: Iterable[dict[str, Any]],
    query: Query,
    catalog_ids: Iterable[int],
) -> dict[int, Resolution]:
    """catalog item id -> its resolution (empty with the 'default' policy). Items found (or
    still mapped) are written to the map, with what QuickBooks says of them now."""
    if settings.policy == "default":
        return {}
    wanted = sorted(set(catalog_ids))
    if not wanted:
        return {}
    known = {str(r["Id"]): QboItem.from_row(r) for r in item_rows}
    catalog = catalog_items(conn, tenant_id, wanted)
    mapped = mapped_items(conn, tenant_id, realm_id, wanted)
    accounts: dict[str, bool] | None = None
    found: dict[int, Resolution] = {}
    for cid in wanted:
        item = catalog.get(cid)
        if item is None:
            continue  # the line names a catalog item that is not the tenant's: default item
        account_id = settings.income_account(item.kind_or_service)
        if settings.policy == "create" and account_id and accounts is None and cid not in mapped:
            accounts = income_accounts(query)
        account = (account_id, bool(account_id and (accounts or {}).get(account_id)))
        result = resolve(item, known, mapped.get(cid), settings.policy, account)
        if result.item is not None and result.problem is None:
            remember(conn, tenant_id, realm_id, item, result.item, result.matched_by or "name")
        elif result.mapped is not None and result.item is not None:
            remember(conn, tenant_id, realm_id, item, result.item, result.mapped.matched_by)
        found[cid] = result
    return found
