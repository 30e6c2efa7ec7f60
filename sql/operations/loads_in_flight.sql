-- Loads in flight (migration 0024): each tenant whose track is running in the load stage with
-- progress recorded by that run; seconds since the entity's start, on the database's clock.
SELECT t.tenant_id, t.run_id, t.progress_entity, t.progress_done, t.progress_total,
       extract(epoch FROM t.progress_at - t.progress_started_at)::float8 AS elapsed_s,
       extract(epoch FROM now() - t.progress_at)::float8 AS age_s
  FROM qbo_sync.tenant_tracks AS t
 WHERE t.state = 'running' AND t.stage = 'load' AND t.progress_run_id = t.run_id
   AND t.progress_total IS NOT NULL
 ORDER BY t.tenant_id;
