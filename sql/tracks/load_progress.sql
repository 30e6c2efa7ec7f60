-- The track's load progress (migration 0024): done of total records of one entity; the
-- entity's start time is set when %(begin)s.
UPDATE qbo_sync.tenant_tracks
   SET progress_run_id = %(run_id)s,
       progress_entity = %(entity)s,
       progress_done = %(done)s,
       progress_total = %(total)s,
       progress_started_at = CASE WHEN %(begin)s OR progress_started_at IS NULL
                                       OR progress_run_id IS DISTINCT FROM %(run_id)s
                                  THEN now() ELSE progress_started_at END,
       progress_at = now()
 WHERE tenant_id = %(tenant_id)s AND run_id = %(run_id)s;
