"""Items in a demo company (the generator's ``quickbooks_setup.items``, made by
``generator/cases_items.py``), set up the way the company's people would: the items the
bookkeeper keeps in QuickBooks first (one made inactive since), then the tenant's item policy
and the income accounts of the items the sync creates, saved with the product's own
``python -m qbo_sync.tenants set``."""

from __future__ import annotations

from typing import Any


def apply_items(conn: Any, client: Any, tenant_id: int, items: dict[str, Any]) -> list[str]:
    """The company's own items (created in QuickBooks, then made inactive where the setup says
    so), then ``tenants set --item-policy ... --service-income-account ...
    --product-income-account ...``, which refuses an account that is not an active income
    account, as it would for a person."""
    if not items:
        return []
    from qbo_sync.items.cli import resolve_income_account
    from qbo_sync.tenants.__main__ import _parser, _set_items

    done = []
    accounts: dict[str, str] = {}
    for item in items["quickbooks_items"]:
        account = item["IncomeAccount"]
        if account not in accounts:
            accounts[account] = resolve_income_account(client, account)
        body = {
            "Name": item["Name"],
            "Sku": item["Sku"],
            "Type": item["Type"],
            "IncomeAccountRef": {"value": accounts[account]},
        }
        created = client.create("Item", body).entity
        inactive = item.get("Active") is False
        if inactive:
            retire = {"Id": created["Id"], "SyncToken": created["SyncToken"], "Active": False}
            client.update("Item", retire, sparse=True)
        done.append(f"item '{item['Name']}' (SKU {item['Sku']}){' created, then made inactive' if inactive else ''}")
    argv = ["set", "--tenant-id", str(tenant_id), "--item-policy", items["policy"]]
    argv += ["--service-income-account", items["service_income_account"]]
    argv += ["--product-income-account", items["product_income_account"]]
    _set_items(conn, client, _parser().parse_args(argv))
    conn.commit()
    done.append(
        f"item policy {items['policy']!r} (new service items to income account "
        f"{items['service_income_account']!r}, new product items to {items['product_income_account']!r})"
    )
    return done
