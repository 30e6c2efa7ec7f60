-- The tenant's track, locked until the link or unlink commits: a run that would start
-- syncing the tenant meanwhile waits for it (tracks/claim updates this row). Returns the run
-- holding the tenant now, if one does (running, with a heartbeat within the lease).
SELECT t.run_id, t.stage
FROM qbo_sync.tenant_tracks AS t
WHERE t.tenant_id = %(tenant_id)s
  AND t.state = 'running'
  AND t.heartbeat_at >= now() - make_interval(secs => %(lease_seconds)s)
FOR UPDATE;
