"""Items and income accounts (item policy 'match' or 'create', qbo_sync.items): why an
invoice line's catalog item has no QuickBooks product or service to post to, and what to do.

``app_item``/``item_sku``/``item_kind``/``catalog_item_id`` are the billing app's catalog
item; ``qbo_item`` and ``candidates`` QuickBooks items as Sales > Products and services
shows them, their Id after; ``matched_by`` is 'SKU' or 'name'.
"""

from __future__ import annotations

from qbo_sync.catalog.entry import Entry

RESYNC = "Then resync the invoice (qbo_resync DAG, or wait for the next scheduled run)."
REMATCH = (
    "`python -m qbo_sync.tenants items --tenant-id {tenant_id}` shows every catalog item's "
    "QuickBooks item; `--rematch {catalog_item_id}` makes the next run match this one again."
)

ENTRIES: tuple[Entry, ...] = (
    Entry(
        "item_not_in_quickbooks",
        "No fee item mapped for line item",
        "configuration",
        "Invoice {number} line {item_position} sells the app's {item_kind} '{app_item}' (SKU "
        "{item_sku}), and QuickBooks has no product or service with that SKU or that name, so "
        "the sync does not know where to post the sale (the tenant's item policy is 'match').",
        "In QuickBooks, open Sales > Products and services and create the item (or give the "
        "existing one SKU {item_sku}, or the name '{app_item}'); or let the sync create missing "
        "items: `python -m qbo_sync.tenants set --tenant-id {tenant_id} --item-policy create "
        "--service-income-account NAME --product-income-account NAME`. " + RESYNC,
    ),
    Entry(
        "item_ambiguous",
        "Several items match",
        "configuration",
        "Invoice {number} line {item_position} sells the app's {item_kind} '{app_item}', and "
        "several active QuickBooks products and services match it by {matched_by}: "
        "{candidates}. The sync does not guess which one the sale belongs to.",
        "In QuickBooks (Sales > Products and services), give the items different SKUs, or make "
        "the one that is not used any more inactive, so that exactly one matches; or change the "
        "catalog item's SKU in the billing app to the SKU of the right one. " + RESYNC,
    ),
    Entry(
        "item_inactive_in_quickbooks",
        "Line items not synced / Invalid Reference Id",
        "configuration",
        "Invoice {number} line {item_position} sells the app's {item_kind} '{app_item}', which "
        "posts to the QuickBooks item {qbo_item} (matched by {matched_by}); that item is "
        "inactive in QuickBooks, and QuickBooks refuses an inactive item on a new invoice.",
        "In QuickBooks, make the item active again (Sales > Products and services, filter with "
        "Include inactive, then Make active). If the sale belongs to another item now, give that "
        "item the catalog item's SKU, then " + REMATCH + " " + RESYNC,
    ),
    Entry(
        "item_not_for_sale",
        "Categories cannot be used in transactions",
        "configuration",
        "Invoice {number} line {item_position} sells the app's {item_kind} '{app_item}', whose "
        "{matched_by} matches the QuickBooks {item_type} {qbo_item}. A category only groups "
        "products and services, and a bundle cannot be put on an invoice line by an app: "
        "QuickBooks accepts neither there.",
        "In QuickBooks, create a product or service for this sale (Sales > Products and "
        "services > New) and give it the catalog item's SKU {item_sku}; or rename the category "
        "or bundle so that its name is no longer '{app_item}'. " + RESYNC,
    ),
    Entry(
        "item_name_unusable",
        "Required param missing (item name)",
        "data",
        "Invoice {number} line {item_position} sells a catalog item that has no name in the "
        "billing app, and no QuickBooks item has its SKU ({item_sku}). QuickBooks needs a name "
        "for every product or service, so the sync cannot create it.",
        "Name the product or service of line {item_position} in the billing app's catalog (or "
        "give it the SKU of an existing QuickBooks item). " + RESYNC,
    ),
    Entry(
        "item_income_account_missing",
        "Income account not set",
        "configuration",
        "Invoice {number} line {item_position} sells the app's {item_kind} '{app_item}', which "
        "has no QuickBooks item yet. The tenant has the sync create missing items (item policy "
        "'create'), but no income account is chosen for {item_kind} items, and QuickBooks needs "
        "one to know where the sale's income goes.",
        "Choose it: `python -m qbo_sync.tenants set --tenant-id {tenant_id} "
        "--{item_kind}-income-account NAME` (an income account of the company, e.g. 'Services' "
        "or 'Sales of Product Income'). " + RESYNC,
    ),
    Entry(
        "item_income_account_inactive",
        "Invalid Reference Id (income account)",
        "configuration",
        "Invoice {number} line {item_position} sells the app's {item_kind} '{app_item}', which "
        "has no QuickBooks item yet; the income account chosen for new {item_kind} items is "
        "inactive or was deleted in QuickBooks, so the item cannot be created.",
        "In QuickBooks, make the account active again (Accounting > Chart of accounts, Include "
        "inactive), or choose another income account: `python -m qbo_sync.tenants set "
        "--tenant-id {tenant_id} --{item_kind}-income-account NAME`. " + RESYNC,
    ),
    Entry(
        "item_not_created",
        "Item could not be created",
        "configuration",
        "Invoice {number} line {item_position} sells the app's {item_kind} '{app_item}', and "
        "QuickBooks refused to create the product or service '{item_name}' for it: {detail}",
        "Create the item in QuickBooks yourself (Sales > Products and services > New) with SKU "
        "{item_sku}, or correct what QuickBooks names above; the next run maps the item by its "
        "SKU or name. " + RESYNC,
    ),
    # A credit note line credits an invoice line (credit_note_lines.invoice_line_id): under the
    # policy match or create it goes to that line's catalog item's QuickBooks item (items/credit_notes.py).
    Entry(
        "credit_note_item_not_in_quickbooks",
        "No fee item mapped for line item",
        "configuration",
        "Credit note {number} line {item_position} credits the app's {item_kind} '{app_item}' (SKU "
        "{item_sku}) of the invoice line it refers to, and QuickBooks has no product or service with "
        "that SKU or that name, so the sync does not know which item's income the credit reverses "
        "(the tenant's item policy is 'match').",
        "In QuickBooks, open Sales > Products and services and create the item (or give the "
        "existing one SKU {item_sku}, or the name '{app_item}'); or let the sync create missing "
        "items: `python -m qbo_sync.tenants set --tenant-id {tenant_id} --item-policy create "
        "--service-income-account NAME --product-income-account NAME`. Then resync the credit note "
        "(qbo_resync DAG, or wait for the next scheduled run).",
    ),
    Entry(
        "credit_note_item_not_created",
        "Item could not be created",
        "configuration",
        "Credit note {number} line {item_position} credits the app's {item_kind} '{app_item}', and "
        "QuickBooks refused to create the product or service '{item_name}' for it: {detail}",
        "Create the item in QuickBooks yourself (Sales > Products and services > New) with SKU "
        "{item_sku}, or correct what QuickBooks names above; the next run maps the item by its "
        "SKU or name. Then resync the credit note (qbo_resync DAG, or wait for the next scheduled run).",
    ),
)
