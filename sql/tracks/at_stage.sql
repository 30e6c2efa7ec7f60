-- The track reached a stage (or is still alive inside one): its heartbeat.
UPDATE qbo_sync.tenant_tracks SET stage = %(stage)s, heartbeat_at = now()
WHERE tenant_id = %(tenant_id)s AND run_id = %(run_id)s;
