-- Demo tests: every catalog item (the items cases add one of their own).
SELECT id, tenant_id, name, kind, sku, unit_price, active
FROM billing.catalog_items
ORDER BY id;
