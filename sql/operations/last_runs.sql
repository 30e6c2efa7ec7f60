-- A tenant's latest runs with how many records each synced, failed or skipped.
SELECT l.run_id,
       min(l.logged_at) AS first_at,
       max(l.logged_at) AS last_at,
       count(*) FILTER (WHERE l.status = 'synced') AS synced,
       count(*) FILTER (WHERE l.status = 'failed') AS failed,
       count(*) FILTER (WHERE l.status = 'skipped') AS skipped,
       coalesce(sum(l.amount) FILTER (WHERE l.status = 'synced' AND l.entity = 'invoice'), 0) AS amount_synced
FROM qbo_sync.sync_log AS l
WHERE l.tenant_id = %(tenant_id)s AND l.run_id IS NOT NULL
GROUP BY l.run_id
ORDER BY max(l.logged_at) DESC
LIMIT %(limit)s;
