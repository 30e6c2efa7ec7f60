-- A tenant's records of one kind that are in QuickBooks: app id -> QuickBooks Id.
SELECT m.source_id, m.qbo_id
FROM qbo_sync.entity_map AS m
WHERE m.tenant_id = %(tenant_id)s AND m.entity = %(entity)s
ORDER BY m.source_id;
