-- Every catalog item of a tenant with its QuickBooks Item, for `python -m qbo_sync.tenants items`.
SELECT ci.id, ci.name, ci.kind, ci.sku, ci.active, m.qbo_item_id, m.qbo_name, m.qbo_type, m.qbo_active,
       m.matched_by, m.app_name, m.app_sku, m.mapped_at, m.checked_at
FROM billing.catalog_items AS ci
LEFT JOIN qbo_sync.item_map AS m ON m.tenant_id = ci.tenant_id AND m.catalog_item_id = ci.id
WHERE ci.tenant_id = %(tenant_id)s
ORDER BY ci.kind, lower(ci.name), ci.id;
