-- The actions taken on one record, newest first.
SELECT acted_at, action, requested_by, dag_run_id, note
FROM qbo_sync.record_actions
WHERE tenant_id = %(tenant_id)s AND entity = %(entity)s AND source_id = %(source_id)s
ORDER BY id DESC;
