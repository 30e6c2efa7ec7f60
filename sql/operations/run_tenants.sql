-- The tenants one run logged outcomes for, plus those whose connection needs reconnecting.
SELECT DISTINCT l.tenant_id FROM qbo_sync.sync_log AS l WHERE l.run_id = %(run_id)s
UNION
SELECT c.tenant_id FROM qbo_sync.tenant_connections AS c WHERE c.status = 'reconnect_required'
ORDER BY 1;
