SELECT tenant_id, entity, source_id, source_ref, status, error_code
FROM qbo_sync.sync_log WHERE run_id = %(run_id)s;
