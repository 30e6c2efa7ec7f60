-- Chaos checks: what our map says each source record is in QuickBooks.
SELECT m.tenant_id, m.entity, m.source_id, m.qbo_id
FROM qbo_sync.entity_map AS m;
