SELECT status, qbo_id FROM qbo_sync.sync_log
WHERE run_id = %(run_id)s AND tenant_id = %(tenant_id)s AND entity = %(entity)s
  AND source_id = %(source_id)s;
