-- Finalized credit notes changed in the interval (or all with full_sync), earlier failures
-- and resync requests; and, whatever the interval, credit notes voided in the app whose
-- CreditMemo is in QuickBooks and not yet taken out (payload_hash 'voided'). A status
-- outside the source contract (not draft, finalized or voided, or NULL) is staged too, so
-- posting explains it instead of skipping it silently. A credit note whose memo was edited
-- in QuickBooks is held until finance resyncs it, unless the tenant's policy is app_wins,
-- which stages it to put the app's version (and its application) back. A credit note whose
-- application was deleted for a move of its invoice and not made again (a run stopped in
-- between: load/credit_moving.sql) is staged whatever the interval, to apply it again.
WITH failed AS (
    SELECT DISTINCT ON (l.source_id) l.source_id, l.status
    FROM qbo_sync.sync_log AS l
    WHERE l.tenant_id = %(tenant_id)s AND l.entity = 'credit_memo'
      AND l.source_id IN (SELECT f.source_id FROM qbo_sync.sync_log AS f
                          WHERE f.tenant_id = %(tenant_id)s AND f.entity = 'credit_memo'
                            AND f.status = 'failed')
    ORDER BY l.source_id, l.id DESC
)
INSERT INTO qbo_sync.run_items (run_id, tenant_id, entity, source_id, source_ref, reason, amount)
SELECT %(run_id)s, n.tenant_id, 'credit_memo', n.id, n.number,
       CASE WHEN rc.resync_requested_at IS NOT NULL THEN 'resync'
            WHEN h.restore THEN 'changed'
            WHEN %(full_sync)s THEN 'full'
            WHEN f.source_id IS NOT NULL THEN 'retry' ELSE 'changed' END,
       n.total
FROM billing.credit_notes AS n
LEFT JOIN qbo_sync.record_controls AS rc
       ON rc.tenant_id = n.tenant_id AND rc.entity = 'credit_memo' AND rc.source_id = n.id
LEFT JOIN failed AS f ON f.source_id = n.id AND f.status = 'failed'
LEFT JOIN qbo_sync.entity_map AS m
       ON m.tenant_id = n.tenant_id AND m.entity = 'credit_memo' AND m.source_id = n.id
-- Changed (deleted, voided, edited) in QuickBooks: held until finance resyncs it (app_wins:
-- an edited one is restored).
LEFT JOIN qbo_sync.quickbooks_change_holds AS h
       ON h.tenant_id = n.tenant_id AND h.entity = 'credit_memo' AND h.source_id = n.id
WHERE n.tenant_id = %(tenant_id)s
  AND (h.source_id IS NULL OR h.restore OR rc.resync_requested_at IS NOT NULL)
  AND NOT coalesce(rc.excluded, false)
  AND CASE WHEN n.status = 'voided'
           THEN m.source_id IS NOT NULL AND m.payload_hash IS DISTINCT FROM 'voided'
           ELSE (n.status IS NULL OR n.status <> 'draft')
               AND (%(full_sync)s
                    OR (n.updated_at >= %(start)s AND n.updated_at < %(end)s)
                    OR rc.resync_requested_at IS NOT NULL
                    OR f.source_id IS NOT NULL
                    OR h.restore
                    OR coalesce(m.source_state ? 'moving_with_invoice', false))
      END
ON CONFLICT DO NOTHING;
