"""``python -m qbo_sync.tenants items``: every catalog item of a tenant with the QuickBooks
item its lines post to, how it was found, and what changed since (a rename in the app, an
item made inactive in QuickBooks); ``--rematch`` forgets mappings so the next run finds them
again. Also the income-account lookup of ``tenants set --service-income-account``."""

from __future__ import annotations

from typing import Any

import psycopg

from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.items.match import MATCHED_BY_TEXT
from qbo_sync.items.settings import item_settings

POLICY_TEXT = {
    "default": "default (service lines to the default service item, product lines to the default product item)",
    "match": "match (each catalog item to the QuickBooks item with its SKU, else its name)",
    "create": "create (as match; a catalog item without one is created in QuickBooks)",
}


class NotAnIncomeAccount(ValueError):
    pass


def resolve_income_account(client: Any, name: str) -> str:
    """The Id of the active income account called ``name`` (or with that Id)."""
    from qbo_client import quote

    rows = client.query(f"select * from Account where Name = {quote(name)}")
    if not rows and name.isdigit():
        rows = client.query(f"select * from Account where Id = {quote(name)}")
    income = [r for r in rows if r.get("Active", True) and r.get("AccountType") == "Income"]
    if len(income) == 1:
        return str(income[0]["Id"])
    names = sorted(
        str(r.get("Name")) for r in client.query("select * from Account where AccountType = 'Income'") if r.get("Name")
    )
    what = "is not an income account" if rows else "does not exist or is inactive"
    raise NotAnIncomeAccount(
        f"QuickBooks account {name!r} {what}; the items the sync creates need an active income "
        f"account. Income accounts: {', '.join(names) or 'none'}. Nothing was changed."
    )


def _state(row: tuple) -> str:
    _cid, name, _kind, sku, _active, qbo_id, qbo_name, qbo_type, qbo_active, how, app_name, app_sku, *_ = row
    if qbo_id is None:
        return "not mapped yet (the next run that sends one of its invoices maps it)"
    parts = [f"-> QuickBooks '{qbo_name}' ({qbo_type or 'item'}; Id {qbo_id}), by {MATCHED_BY_TEXT.get(how, how)}"]
    if not qbo_active:
        parts.append("INACTIVE in QuickBooks: its invoices fail until it is made active again or rematched")
    if (app_name or "") != (name or ""):
        parts.append(f"renamed in the app since it was mapped (was '{app_name}'); still posts to the same item")
    elif (app_sku or "") != (sku or ""):
        parts.append(f"SKU changed in the app since it was mapped (was {app_sku or '(none)'}); still the same item")
    return "; ".join(parts)


def show_items(conn: psycopg.Connection, tenant_id: int) -> int:
    settings = item_settings(conn, tenant_id)
    print(f"tenant {tenant_id}: item policy {POLICY_TEXT.get(settings.policy, settings.policy)}")
    if settings.policy == "create":
        for kind in ("service", "product"):
            print(f"  income account of new {kind} items: {settings.income_account(kind) or 'NOT SET'}")
    rows = conn.execute(load_sql("items/listing"), {"tenant_id": tenant_id}).fetchall()
    if not rows:
        print("  no catalog items")
        return 0
    for row in rows:
        cid, name, kind, sku, active = row[:5]
        label = (
            f"  {cid:>6} {kind or 'service':<8} {name!r} (SKU {sku or '-'}){'' if active else ' [inactive in the app]'}"
        )
        if settings.policy == "default":
            print(f"{label} -> the default {kind or 'service'} item")
        else:
            print(f"{label} {_state(row)}")
    return 0


def rematch(conn: psycopg.Connection, tenant_id: int, catalog_item_ids: list[int] | None) -> int:
    """Forget the given (or every) mapping of the tenant: the next run matches them again."""
    gone = [
        r[0]
        for r in conn.execute(load_sql("items/forget"), {"tenant_id": tenant_id, "catalog_item_ids": catalog_item_ids})
    ]
    if catalog_item_ids:
        missing = sorted(set(catalog_item_ids) - set(gone))
        if missing:
            print(f"catalog item(s) {', '.join(map(str, missing))} had no QuickBooks item mapped")
    print(
        f"tenant {tenant_id}: {len(gone)} catalog item(s) will be matched again by the next run "
        "(resync their invoices to send them with it)"
    )
    return 0
