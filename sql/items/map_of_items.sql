SELECT m.catalog_item_id, m.qbo_item_id, m.matched_by, m.app_name, m.app_sku, m.qbo_name, m.realm_id
FROM qbo_sync.item_map AS m
WHERE m.tenant_id = %(tenant_id)s AND m.catalog_item_id = ANY(%(catalog_item_ids)s);
