-- How a tenant's track ended in a run (a retry or a clear of the run adds its reads).
INSERT INTO qbo_sync.track_runs AS r (run_id, tenant_id, state, reads, polled, note, started_at)
VALUES (%(run_id)s, %(tenant_id)s, %(state)s, %(reads)s, %(polled)s, %(note)s, %(started_at)s)
ON CONFLICT (run_id, tenant_id) DO UPDATE
   SET state = EXCLUDED.state, reads = r.reads + EXCLUDED.reads, polled = r.polled OR EXCLUDED.polled,
       note = EXCLUDED.note, started_at = coalesce(r.started_at, EXCLUDED.started_at), finished_at = now();
