-- Benchmarks: outcomes of one run per entity and status (a measured run must have no failures).
SELECT entity, status, count(*)
FROM qbo_sync.sync_log
WHERE run_id = %(run_id)s
GROUP BY entity, status
ORDER BY entity, status;
