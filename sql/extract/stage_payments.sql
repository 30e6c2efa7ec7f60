-- App payments this run considers for one tenant: recorded or voided in the interval (or
-- all with full_sync), earlier failures and resync requests. A payment voided before it was
-- ever sent is never sent. Payments imported from QuickBooks never go back.
-- Whatever the interval, a payment in QuickBooks whose amount, date, reference or invoice
-- changed in the app since the sync wrote it (entity_map.source_state; the app keeps no
-- updated_at for payments), or that was voided in the app and is not voided there yet.
-- A payment edited in QuickBooks is held until finance resyncs it, unless the tenant's policy
-- is app_wins, which stages it to put the app's version back.
WITH failed AS (
    SELECT DISTINCT ON (l.source_id) l.source_id, l.status
    FROM qbo_sync.sync_log AS l
    WHERE l.tenant_id = %(tenant_id)s AND l.entity = 'payment'
      AND l.source_id IN (SELECT f.source_id FROM qbo_sync.sync_log AS f
                          WHERE f.tenant_id = %(tenant_id)s AND f.entity = 'payment'
                            AND f.status = 'failed')
    ORDER BY l.source_id, l.id DESC
)
INSERT INTO qbo_sync.run_items (run_id, tenant_id, entity, source_id, source_ref, reason, amount)
SELECT %(run_id)s, p.tenant_id, 'payment', p.id, p.reference,
       CASE
           WHEN rc.resync_requested_at IS NOT NULL THEN 'resync'
           WHEN h.restore THEN 'changed'
           WHEN %(full_sync)s THEN 'full'
           WHEN f.source_id IS NOT NULL THEN 'retry'
           ELSE 'changed'
       END,
       p.amount
FROM billing.payments AS p
LEFT JOIN qbo_sync.entity_map AS m
       ON m.tenant_id = p.tenant_id AND m.entity = 'payment' AND m.source_id = p.id
LEFT JOIN qbo_sync.record_controls AS rc
       ON rc.tenant_id = p.tenant_id AND rc.entity = 'payment' AND rc.source_id = p.id
LEFT JOIN failed AS f ON f.source_id = p.id AND f.status = 'failed'
-- Changed (deleted, voided, edited) in QuickBooks: held until finance resyncs it (app_wins:
-- an edited one is restored).
LEFT JOIN qbo_sync.quickbooks_change_holds AS h
       ON h.tenant_id = p.tenant_id AND h.entity = 'payment' AND h.source_id = p.id
WHERE p.tenant_id = %(tenant_id)s
  AND (h.source_id IS NULL OR h.restore OR rc.resync_requested_at IS NOT NULL)
  AND p.origin = 'app'
  AND NOT coalesce(rc.excluded, false)
  AND (p.voided_at IS NULL OR m.source_id IS NOT NULL)
  AND (
         %(full_sync)s
      OR (p.created_at >= %(start)s AND p.created_at < %(end)s)
      OR (p.voided_at >= %(start)s AND p.voided_at < %(end)s)
      OR rc.resync_requested_at IS NOT NULL
      OR f.source_id IS NOT NULL
      OR h.restore
      OR (m.source_id IS NOT NULL AND m.payload_hash IS DISTINCT FROM 'voided'
          AND (p.voided_at IS NOT NULL
               OR m.source_state <> qbo_sync.payment_state(p.amount, p.paid_at, p.reference, p.invoice_id)))
  )
ON CONFLICT DO NOTHING;
