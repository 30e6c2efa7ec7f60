SELECT l.tenant_id, l.entity, l.source_ref, l.error_code, l.cause
FROM qbo_sync.sync_log AS l
WHERE l.run_id = %(run_id)s AND l.status = 'skipped'
ORDER BY l.tenant_id, l.entity, l.source_ref NULLS LAST;
