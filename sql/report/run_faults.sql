-- The tenants one run worked on (outcomes, or a track that did not leave the tenant to
-- another run), plus those whose connection must be reconnected, with the faults of the whole
-- tenant: how its track ended, whether QuickBooks must be reconnected and whether QuickBooks
-- blocks this app's reads, each with what marks this occurrence (when it started).
WITH touched AS (
    SELECT l.tenant_id FROM qbo_sync.sync_log AS l WHERE l.run_id = %(run_id)s
    UNION
    SELECT r.tenant_id FROM qbo_sync.track_runs AS r WHERE r.run_id = %(run_id)s AND r.state <> 'left'
    UNION
    SELECT c.tenant_id FROM qbo_sync.tenant_connections AS c WHERE c.status = 'reconnect_required'
)
SELECT t.tenant_id,
       r.state AS track_state,
       r.note AS track_note,
       (c.status = 'reconnect_required' OR EXISTS (
            SELECT 1 FROM qbo_sync.sync_log AS l
            WHERE l.run_id = %(run_id)s AND l.tenant_id = t.tenant_id
              AND l.status = 'failed' AND l.category = 'connection')) AS reconnect,
       c.updated_at AS reconnect_marker,
       (b.tenant_id IS NOT NULL OR EXISTS (
            SELECT 1 FROM qbo_sync.sync_log AS l
            WHERE l.run_id = %(run_id)s AND l.tenant_id = t.tenant_id
              AND l.status = 'failed' AND l.error_code = 'reads_blocked')) AS reads_blocked,
       b.blocked_at AS reads_marker
FROM touched AS t
LEFT JOIN qbo_sync.track_runs AS r ON r.run_id = %(run_id)s AND r.tenant_id = t.tenant_id
LEFT JOIN qbo_sync.tenant_connections AS c ON c.tenant_id = t.tenant_id
LEFT JOIN qbo_sync.read_blocks AS b ON b.tenant_id = t.tenant_id AND b.blocked_until > now()
WHERE r.state IS DISTINCT FROM 'left'
ORDER BY t.tenant_id;
