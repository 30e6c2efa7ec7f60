-- The faults of these tenants that an earlier report already opened (tenant_faults).
SELECT f.tenant_id, f.fault, f.marker, f.first_run_id, f.since
FROM qbo_sync.tenant_faults AS f
WHERE f.tenant_id = ANY(%(tenant_ids)s::bigint[]);
