-- Take a tenant's track for a run: free, finished or failed by another run, left without a
-- heartbeat for longer than the lease (a worker killed), this run's own unfinished track (a
-- retry), or this run's finished one after the run was cleared (run_clear: Airflow counts the
-- clears of a run). Returns no row when another run holds it, or this run (as cleared the same
-- number of times) already finished it;
-- else where the tenant's owed changes start, and how the previous track ended ('running' or
-- 'failed': it may have died mid-write, so every record is looked up before it is posted).
WITH prior AS (
    SELECT t.state FROM qbo_sync.tenant_tracks AS t WHERE t.tenant_id = %(tenant_id)s
)
INSERT INTO qbo_sync.tenant_tracks AS t (tenant_id, run_id, run_clear, stage)
VALUES (%(tenant_id)s, %(run_id)s, %(run_clear)s, 'extract')
ON CONFLICT (tenant_id) DO UPDATE
   SET run_id = EXCLUDED.run_id, run_clear = EXCLUDED.run_clear, stage = 'extract', state = 'running',
       started_at = now(), heartbeat_at = now(), finished_at = NULL
 WHERE (t.run_id = EXCLUDED.run_id AND (t.state <> 'done' OR t.run_clear <> EXCLUDED.run_clear))
    OR (t.run_id <> EXCLUDED.run_id
        AND (t.state <> 'running' OR t.heartbeat_at < now() - make_interval(secs => %(lease_seconds)s)))
RETURNING t.pending_from, (SELECT prior.state FROM prior), t.pending_full;
