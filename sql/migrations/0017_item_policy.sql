-- Issue 13 item 1: items and income accounts. A tenant's item policy says which QuickBooks
-- product or service each invoice line posts to:
--   'default' every service line to the default Service item, every product line to the
--             default Product item (as before);
--   'match'   each billing.catalog_items row to the QuickBooks Item with its SKU, else its
--             name; a catalog item with no match fails its invoices with the fix;
--   'create'  as 'match', and a catalog item with no match is created in QuickBooks (a
--             Service, or a NonInventory product) posting to the income account the tenant
--             chose for that kind of item.
ALTER TABLE qbo_sync.tenant_settings
    ADD COLUMN item_policy text NOT NULL DEFAULT 'default'
        CHECK (item_policy IN ('default', 'match', 'create')),
    ADD COLUMN service_income_account_id text,
    ADD COLUMN product_income_account_id text;

-- The map: which QuickBooks Item each catalog item posts to, and how it was found. Kept once
-- found (an item renamed in the app keeps its QuickBooks item); `app_name`/`app_sku` are the
-- catalog item's name and SKU when it was mapped, so that a rename is shown and explained;
-- `qbo_name`/`qbo_active` what QuickBooks last said of the item (each run that validates).
CREATE TABLE qbo_sync.item_map (
    tenant_id        bigint NOT NULL,
    catalog_item_id  bigint NOT NULL,
    realm_id         text NOT NULL,
    qbo_item_id      text NOT NULL,
    matched_by       text NOT NULL CHECK (matched_by IN ('sku', 'name', 'created')),
    app_name         text NOT NULL,
    app_sku          text,
    qbo_name         text NOT NULL,
    qbo_type         text,
    qbo_active       boolean NOT NULL DEFAULT true,
    mapped_at        timestamptz NOT NULL DEFAULT now(),
    checked_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, catalog_item_id)
);
