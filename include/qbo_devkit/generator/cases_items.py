"""The demo's items cases (issue 13, item 1), listed at the end of ``cases.CASES``.

Either case gives its tenant QuickBooks items of its own (``quickbooks_setup.items``, which the
demo applies with ``qbo_devkit/items_setup.py``): item policy ``create``, saved with the
product's own ``tenants set --item-policy create --service-income-account Services
--product-income-account Sales``. The company already holds an item for the tenant's first
service, keyed in by the bookkeeper under a name of their own with the catalog item's SKU (the
sync finds it by SKU); every other catalog item the tenant sells is created by the sync, a
Service or a NonInventory product. Then:

* ``catalog_items_posted``: an invoice with a service line and (when the tenant sells
  products) a product line: synced, each line on its catalog item's own QuickBooks item;
* ``item_inactive_in_quickbooks``: a catalog item of its own, "Extended warranty" (SKU
  WAR-EXT), whose QuickBooks item (same SKU) someone made inactive: the one invoice selling it
  fails before it is sent, naming the item; the tenant's other invoices never sell it and sync.

Both draw from streams of their own (``Case.own_stream``), neither from the ordinary one nor the
bad-case one, and the new catalog item takes the next free id (after every ordinary one): the
other cases' data and the ordinary data stay as they were for a seed.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from qbo_devkit.generator.profiles import Item

Generator = Any
State = Any
Invoice = dict[str, Any]

POLICY = "create"
SERVICE_INCOME_ACCOUNT = "Services"  # income accounts every new QuickBooks company has
PRODUCT_INCOME_ACCOUNT = "Sales"
# Its tax habit is the tenant's first service's (filled in per tenant).
RETIRED = Item("Extended warranty", "service", "WAR-EXT", Decimal("49.00"), "", (Decimal(1),))


def _items(state: State) -> dict[str, Any]:
    """The tenant's items setup, started once by whichever case comes first."""
    items = state.tenant.setup.items
    if not items:
        first = state.tenant.services[0][1]
        items.update(
            policy=POLICY,
            service_income_account=SERVICE_INCOME_ACCOUNT,
            product_income_account=PRODUCT_INCOME_ACCOUNT,
            quickbooks_items=[
                {
                    "Name": f"{first.sku} {first.name}",  # the bookkeeper's own name: found by SKU
                    "Sku": first.sku,
                    "Type": "Service",
                    "IncomeAccount": SERVICE_INCOME_ACCOUNT,
                    "Active": True,
                }
            ],
        )
    return items


def prepare_catalog_items_posted(gen: Generator, state: State) -> None:
    _items(state)


def catalog_items_posted(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    tenant = state.tenant
    kinds = {dict(tenant.items)[line["item_id"]].kind for line in inv["lines"]}
    for kind, pairs in (("service", tenant.services), ("product", tenant.products)):
        if pairs and kind not in kinds:
            inv["lines"].append(gen.line(tenant, inv["tax_mode"], pairs[0], state.rng))
    gen.totals(inv)
    gen.record(state, "invoice", inv, "synced", None)


def prepare_item_inactive(gen: Generator, state: State) -> None:
    tenant = state.tenant
    item = replace(RETIRED, tax=tenant.services[0][1].tax)
    gen.ids["catalog_items"] += 1  # after every ordinary catalog item: their ids stay
    tenant.items.append((gen.ids["catalog_items"], item))
    _items(state)["quickbooks_items"].append(
        {
            "Name": item.name,
            "Sku": item.sku,
            "Type": "Service",
            "IncomeAccount": SERVICE_INCOME_ACCOUNT,
            "Active": False,  # made inactive in QuickBooks after it was created
        }
    )


def item_inactive(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    tenant = state.tenant
    pair = next(p for p in tenant.items if p[1].sku == RETIRED.sku)
    inv["lines"].append(gen.line(tenant, inv["tax_mode"], pair, state.rng))
    gen.totals(inv)
    gen.record(state, "invoice", inv, "failed", "item_inactive_in_quickbooks")
