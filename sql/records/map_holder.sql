-- Which app record our map already gives a QuickBooks record of a company to (one at most:
-- the map is unique on company, entity and QuickBooks Id).
SELECT m.tenant_id, m.source_id
FROM qbo_sync.entity_map AS m
WHERE m.realm_id = %(realm_id)s AND m.entity = %(entity)s AND m.qbo_id = %(qbo_id)s;
