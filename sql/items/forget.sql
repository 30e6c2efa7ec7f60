-- Forget catalog items' QuickBooks Items (all of the tenant's when no ids are given): the
-- next run matches them again (or creates them, with item policy 'create').
DELETE FROM qbo_sync.item_map
WHERE tenant_id = %(tenant_id)s
  AND (%(catalog_item_ids)s::bigint[] IS NULL OR catalog_item_id = ANY(%(catalog_item_ids)s::bigint[]))
RETURNING catalog_item_id;
