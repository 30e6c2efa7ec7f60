-- Each failed record of one run, with what came before it (red means new, issue 18.6):
-- whether the record already failed for this same cause (error code) since it last synced
-- (else: a new failure), and since when it fails for that cause. A record that synced in
-- between starts afresh; a record without an id (nothing to compare) counts as new. Both
-- look-ups walk the record's own rows by the index on (tenant, entity, record, id).
SELECT f.tenant_id, f.entity, f.source_id, f.error_code, f.category,
       earlier.logged_at IS NOT NULL AS failed_before,
       coalesce(earlier.logged_at, f.logged_at) AS failing_since
FROM qbo_sync.sync_log AS f
LEFT JOIN LATERAL (
    SELECT s.id
    FROM qbo_sync.sync_log AS s
    WHERE s.tenant_id = f.tenant_id AND s.entity = f.entity AND s.source_id = f.source_id
      AND s.id < f.id AND s.status = 'synced'
    ORDER BY s.id DESC
    LIMIT 1
) AS last_synced ON true
LEFT JOIN LATERAL (
    -- the first failure for this cause since then
    SELECT e.logged_at
    FROM qbo_sync.sync_log AS e
    WHERE e.tenant_id = f.tenant_id AND e.entity = f.entity AND e.source_id = f.source_id
      AND e.id < f.id AND e.id > coalesce(last_synced.id, 0)
      AND e.status = 'failed' AND e.error_code IS NOT DISTINCT FROM f.error_code
    ORDER BY e.id
    LIMIT 1
) AS earlier ON true
WHERE f.run_id = %(run_id)s AND f.status = 'failed'
ORDER BY f.tenant_id, f.entity, f.source_id;
