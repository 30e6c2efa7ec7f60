-- The track ended: 'done', or 'failed' (a systemic fault: its records carry the explanation,
-- and this run's retry or the next run takes them again). What the tenant is owed shrinks by
-- the window the track staged [start, end) when that window reaches the debt's start (all of it
-- after a full sync), or grows by it when
-- the track ended before staging. SET expressions read the row as it was.
UPDATE qbo_sync.tenant_tracks
   SET state = %(state)s, stage = 'end', heartbeat_at = now(), finished_at = now(),
       pending_full = CASE WHEN NOT %(staged)s THEN pending_full OR %(covers_all)s
                           WHEN %(covers_all)s THEN false
                           ELSE pending_full END,
       pending_from = CASE
           WHEN NOT %(staged)s THEN least(coalesce(pending_from, %(start)s), %(start)s)
           WHEN %(covers_all)s THEN NULL
           WHEN pending_from IS NULL OR pending_from < %(start)s OR pending_from >= %(end)s
               THEN pending_from
           WHEN pending_to <= %(end)s THEN NULL
           ELSE %(end)s END,
       pending_to = CASE
           WHEN NOT %(staged)s THEN greatest(coalesce(pending_to, %(end)s), %(end)s)
           WHEN %(covers_all)s THEN NULL
           WHEN pending_from IS NULL OR pending_from < %(start)s OR pending_from >= %(end)s
               THEN pending_to
           WHEN pending_to <= %(end)s THEN NULL
           ELSE pending_to END
 WHERE tenant_id = %(tenant_id)s AND run_id = %(run_id)s;
