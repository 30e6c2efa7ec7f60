-- The tenant's track, locked until the link or unlink commits: a run that would start
-- syncing the tenant meanwhile waits for it (tracks/claim updates this row). busy: a run
-- holds the tenant now (running, with a heartbeat within the lease).
SELECT t.run_id, t.stage,
       (t.state = 'running'
        AND t.heartbeat_at >= now() - make_interval(secs => %(lease_seconds)s)) AS busy
FROM qbo_sync.tenant_tracks AS t
WHERE t.tenant_id = %(tenant_id)s
FOR UPDATE;
