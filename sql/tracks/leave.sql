-- A run leaves a tenant another run holds: the tenant is owed this run's window (a full sync:
-- all of it, whatever the window).
UPDATE qbo_sync.tenant_tracks
   SET pending_full = pending_full OR %(full_sync)s,
       pending_from = least(coalesce(pending_from, %(start)s), %(start)s),
       pending_to = greatest(coalesce(pending_to, %(end)s), %(end)s)
 WHERE tenant_id = %(tenant_id)s;
