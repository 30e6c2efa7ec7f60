-- The clients this run must have in QuickBooks for one tenant: the clients of the staged
-- invoices and their parents (a parent goes before its sub-clients), plus mapped clients
-- changed in the interval, plus failed or resync-requested ones; minus clients already in
-- QuickBooks and unchanged since. depth orders parents before children. A client whose
-- customer was changed in QuickBooks (made inactive, merged away) is held until finance
-- resyncs it, unless the policy app_wins stages it to make the customer active again.
WITH RECURSIVE needed AS (
    SELECT c.id, c.parent_client_id, 'dependency'::text AS reason, 0 AS hops
    FROM billing.clients AS c
    WHERE c.tenant_id = %(tenant_id)s
      AND c.id IN (SELECT i.client_id FROM qbo_sync.run_items AS r
                   JOIN billing.invoices AS i ON i.id = r.source_id
                   WHERE r.run_id = %(run_id)s AND r.tenant_id = %(tenant_id)s
                     AND r.entity = 'invoice')
    UNION ALL
    SELECT c.id, c.parent_client_id, 'changed', 0
    FROM billing.clients AS c
    JOIN qbo_sync.entity_map AS m
      ON m.tenant_id = c.tenant_id AND m.entity = 'customer' AND m.source_id = c.id
    WHERE c.tenant_id = %(tenant_id)s
      AND c.updated_at >= %(start)s AND c.updated_at < %(end)s
    UNION ALL
    -- Customers finance asked to resync (qbo_resync), even without a staged invoice.
    SELECT c.id, c.parent_client_id, 'resync', 0
    FROM billing.clients AS c
    JOIN qbo_sync.record_controls AS rc
      ON rc.tenant_id = c.tenant_id AND rc.entity = 'customer' AND rc.source_id = c.id
    WHERE c.tenant_id = %(tenant_id)s AND rc.resync_requested_at IS NOT NULL
      AND NOT rc.excluded
    UNION ALL
    -- Customers made inactive in QuickBooks, with the policy app_wins: made active again.
    SELECT c.id, c.parent_client_id, 'changed', 0
    FROM billing.clients AS c
    JOIN qbo_sync.quickbooks_change_holds AS h
      ON h.tenant_id = c.tenant_id AND h.entity = 'customer' AND h.source_id = c.id
    WHERE c.tenant_id = %(tenant_id)s AND h.restore
    UNION ALL
    SELECT p.id, p.parent_client_id, 'dependency', n.hops + 1
    FROM needed AS n
    JOIN billing.clients AS p ON p.id = n.parent_client_id AND p.tenant_id = %(tenant_id)s
    WHERE n.hops < 20  -- a cycle in the source must not loop forever
),
depths AS (
    -- depth = how many ancestors a client has, so parents load in earlier batches.
    SELECT n.id, max(n.reason) AS reason
    FROM needed AS n
    GROUP BY n.id
)
INSERT INTO qbo_sync.run_items (run_id, tenant_id, entity, source_id, source_ref, reason, depth)
SELECT %(run_id)s, c.tenant_id, 'customer', c.id,
       coalesce(nullif(trim(concat_ws(' ', c.first_name, c.last_name)), ''), c.company_name),
       d.reason,
       (WITH RECURSIVE up AS (
            SELECT c.parent_client_id AS pid, 0 AS n
            UNION ALL
            SELECT p.parent_client_id, up.n + 1 FROM up
            JOIN billing.clients AS p ON p.id = up.pid
            WHERE up.pid IS NOT NULL AND up.n < 20)
        SELECT count(*) - 1 FROM up)
FROM depths AS d
JOIN billing.clients AS c ON c.id = d.id
LEFT JOIN qbo_sync.entity_map AS m
       ON m.tenant_id = c.tenant_id AND m.entity = 'customer' AND m.source_id = c.id
LEFT JOIN qbo_sync.record_controls AS rc
       ON rc.tenant_id = c.tenant_id AND rc.entity = 'customer' AND rc.source_id = c.id
LEFT JOIN qbo_sync.quickbooks_change_holds AS h
       ON h.tenant_id = c.tenant_id AND h.entity = 'customer' AND h.source_id = c.id
WHERE NOT coalesce(rc.excluded, false)
  AND (h.source_id IS NULL OR h.restore OR rc.resync_requested_at IS NOT NULL)
  AND (m.source_id IS NULL OR c.updated_at > m.last_synced_at OR rc.resync_requested_at IS NOT NULL
       OR h.restore)
ON CONFLICT DO NOTHING;
