-- Fleet benchmark: outcomes of one run, per tenant, entity and status.
SELECT tenant_id, entity, status, count(*)
FROM qbo_sync.sync_log
WHERE run_id = %(run_id)s
GROUP BY tenant_id, entity, status
ORDER BY tenant_id, entity, status;
