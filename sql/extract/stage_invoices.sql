-- The invoices this run considers for one tenant: finalized app invoices changed in the
-- data interval (or all of them with full_sync), plus every invoice whose latest outcome
-- is a failure, plus those finance asked to resync. Excluded records never come back by
-- themselves; drafts and rows that came from QuickBooks never leave. A status outside the
-- source contract ('Finalized', 'final', NULL...) is staged too, so validation fails it
-- with a reason instead of the invoice silently never syncing. An invoice changed in
-- QuickBooks (qbo_sync.quickbooks_change_holds) is held until finance resyncs it, unless the
-- tenant's policy is app_wins, which stages it to put the app's version back.
WITH failed AS (
    SELECT DISTINCT ON (l.source_id) l.source_id, l.status
    FROM qbo_sync.sync_log AS l
    WHERE l.tenant_id = %(tenant_id)s AND l.entity = 'invoice'
      AND l.source_id IN (SELECT f.source_id FROM qbo_sync.sync_log AS f
                          WHERE f.tenant_id = %(tenant_id)s AND f.entity = 'invoice'
                            AND f.status = 'failed')
    ORDER BY l.source_id, l.id DESC
)
INSERT INTO qbo_sync.run_items (run_id, tenant_id, entity, source_id, source_ref, reason, amount)
SELECT %(run_id)s, i.tenant_id, 'invoice', i.id, i.number,
       CASE
           WHEN rc.resync_requested_at IS NOT NULL THEN 'resync'
           WHEN h.restore THEN 'changed'
           WHEN %(full_sync)s THEN 'full'
           WHEN i.updated_at >= %(start)s AND i.updated_at < %(end)s THEN 'changed'
           ELSE 'retry'
       END,
       i.total
FROM billing.invoices AS i
LEFT JOIN qbo_sync.record_controls AS rc
       ON rc.tenant_id = i.tenant_id AND rc.entity = 'invoice' AND rc.source_id = i.id
LEFT JOIN failed AS f ON f.source_id = i.id AND f.status = 'failed'
LEFT JOIN qbo_sync.quickbooks_change_holds AS h
       ON h.tenant_id = i.tenant_id AND h.entity = 'invoice' AND h.source_id = i.id
WHERE i.tenant_id = %(tenant_id)s
  AND (i.status IS NULL OR i.status NOT IN ('draft', 'voided'))
  AND i.origin = 'app'
  AND NOT coalesce(rc.excluded, false)
  AND (h.source_id IS NULL OR h.restore OR rc.resync_requested_at IS NOT NULL)
  AND (
         %(full_sync)s
      OR (i.updated_at >= %(start)s AND i.updated_at < %(end)s)
      OR rc.resync_requested_at IS NOT NULL
      OR f.source_id IS NOT NULL
      OR h.restore
  )
ON CONFLICT DO NOTHING;
