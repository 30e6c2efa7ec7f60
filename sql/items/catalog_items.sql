SELECT ci.id, ci.name, ci.kind, ci.sku
FROM billing.catalog_items AS ci
WHERE ci.tenant_id = %(tenant_id)s AND ci.id = ANY(%(catalog_item_ids)s);
