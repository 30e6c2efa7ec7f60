-- A run found the tenant without these faults any more (reconnected, reads allowed again).
DELETE FROM qbo_sync.tenant_faults AS f
WHERE f.tenant_id = %(tenant_id)s AND NOT (f.fault = ANY(%(faults)s::text[]));
