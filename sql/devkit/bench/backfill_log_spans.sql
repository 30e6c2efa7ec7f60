-- Backfill benchmark: per tenant and kind of record, the run's outcomes and when the first
-- and last were logged.
SELECT tenant_id, entity, status, count(*), min(logged_at), max(logged_at)
FROM qbo_sync.sync_log
WHERE run_id = %(run_id)s
GROUP BY tenant_id, entity, status
ORDER BY tenant_id, entity, status;
