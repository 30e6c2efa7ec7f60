-- How each tenant's reconciliation went in one run.
SELECT r.tenant_id, r.scope, r.state, r.checked, r.differ, r.unexplained, r.reads, r.note
FROM qbo_sync.reconciliation_runs AS r
WHERE r.run_id = %(run_id)s
ORDER BY r.tenant_id;
