-- A tenant's latest reconciliation (any run or DAG): when, what it covered, what differs.
SELECT r.run_id, r.dag_id, r.scope, r.state, r.checked, r.differ, r.unexplained, r.reads, r.note, r.finished_at
FROM qbo_sync.reconciliation_runs AS r
WHERE r.tenant_id = %(tenant_id)s
ORDER BY r.finished_at DESC
LIMIT 1;
