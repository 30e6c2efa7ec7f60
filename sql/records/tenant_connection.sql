-- The tenant's QuickBooks company and whether it can be worked with (no row: never connected).
SELECT c.realm_id, c.status
FROM qbo_sync.tenant_connections AS c
WHERE c.tenant_id = %(tenant_id)s;
