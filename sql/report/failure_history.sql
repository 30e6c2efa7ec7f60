-- Each failed record of one run, with what came before it (red means new, issue 18.6): how
-- many times the record already failed for this same cause since it last synced (0: a new
-- failure), and since when it fails for that cause. A record that synced in between starts
-- afresh; a record without an id (nothing to compare) counts as new.
SELECT f.tenant_id, f.entity, f.source_id, f.error_code, f.category,
       coalesce(earlier.times, 0) AS failed_before,
       coalesce(earlier.since, f.logged_at) AS failing_since
FROM qbo_sync.sync_log AS f
LEFT JOIN LATERAL (
    SELECT max(s.id) AS id
    FROM qbo_sync.sync_log AS s
    WHERE s.tenant_id = f.tenant_id AND s.entity = f.entity AND s.source_id = f.source_id
      AND s.id < f.id AND s.status = 'synced'
) AS last_synced ON true
LEFT JOIN LATERAL (
    SELECT count(*) AS times, min(e.logged_at) AS since
    FROM qbo_sync.sync_log AS e
    WHERE e.tenant_id = f.tenant_id AND e.entity = f.entity AND e.source_id = f.source_id
      AND e.id < f.id AND e.id > coalesce(last_synced.id, 0)
      AND e.status = 'failed' AND e.error_code IS NOT DISTINCT FROM f.error_code
) AS earlier ON true
WHERE f.run_id = %(run_id)s AND f.status = 'failed'
ORDER BY f.tenant_id, f.entity, f.source_id;
