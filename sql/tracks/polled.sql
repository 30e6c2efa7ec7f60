-- Payments were read back; activity (records staged, payments imported) keeps the tenant polled
-- every run.
UPDATE qbo_sync.tenant_tracks
   SET polled_at = now(), active_at = CASE WHEN %(active)s THEN now() ELSE active_at END
 WHERE tenant_id = %(tenant_id)s AND run_id = %(run_id)s;
