-- Finance's controls on one record (no row: none), for what link and unlink say about them.
SELECT rc.excluded, rc.resync_requested_at
FROM qbo_sync.record_controls AS rc
WHERE rc.tenant_id = %(tenant_id)s AND rc.entity = %(entity)s AND rc.source_id = %(source_id)s;
