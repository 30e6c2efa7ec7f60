-- A QuickBooks record the sync deleted on purpose (a credit application undone before its
-- credit memo changes): our map forgets it, so the next application is a new one.
DELETE FROM qbo_sync.entity_map
WHERE tenant_id = %(tenant_id)s AND entity = %(entity)s AND source_id = %(source_id)s;
