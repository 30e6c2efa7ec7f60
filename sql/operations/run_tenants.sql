-- The tenants one run logged outcomes for, plus those whose connection needs reconnecting,
-- plus those whose reconciliation in the run found a difference nothing explains.
SELECT DISTINCT l.tenant_id FROM qbo_sync.sync_log AS l WHERE l.run_id = %(run_id)s
UNION
SELECT c.tenant_id FROM qbo_sync.tenant_connections AS c WHERE c.status = 'reconnect_required'
UNION
SELECT r.tenant_id FROM qbo_sync.reconciliation AS r WHERE r.run_id = %(run_id)s AND r.verdict = 'unexplained'
ORDER BY 1;
