-- Unlink: forget which QuickBooks record stands for this app record.
DELETE FROM qbo_sync.entity_map
WHERE tenant_id = %(tenant_id)s AND entity = %(entity)s AND source_id = %(source_id)s
RETURNING realm_id, qbo_id;
