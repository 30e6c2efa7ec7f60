-- Live-cluster tests: how many outcome rows each record has in a run (one is right).
SELECT tenant_id, entity, source_id, count(*) AS outcomes
FROM qbo_sync.sync_log
WHERE run_id = %(run_id)s
GROUP BY tenant_id, entity, source_id
ORDER BY 1, 2, 3;
