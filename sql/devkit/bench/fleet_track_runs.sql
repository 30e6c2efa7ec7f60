-- Fleet benchmark: each tenant's track in one run (state, QuickBooks reads, span).
SELECT tenant_id, state, reads, started_at, finished_at
FROM qbo_sync.track_runs
WHERE run_id = %(run_id)s
ORDER BY tenant_id;
