-- App refunds this run considers for one tenant (billing.refunds, issue 13 item 3): recorded
-- or voided in the interval (or all with full_sync), earlier failures and resync requests (one
-- changed in QuickBooks only on a resync). A
-- refund voided before it was ever sent is never sent; refunds read back from QuickBooks never
-- go back. Whatever the interval, a refund in QuickBooks whose amount, date, reference or
-- payment changed in the app since the sync wrote it (entity_map.source_state: the app keeps no
-- updated_at for refunds), or that the app voided and whose RefundReceipt (or cheque: an
-- overpayment's excess paid back, entity refund_check) is not deleted yet.
WITH failed AS (
    SELECT DISTINCT ON (l.source_id) l.source_id, l.status
    FROM qbo_sync.sync_log AS l
    WHERE l.tenant_id = %(tenant_id)s AND l.entity = 'refund'
      AND l.source_id IN (SELECT f.source_id FROM qbo_sync.sync_log AS f
                          WHERE f.tenant_id = %(tenant_id)s AND f.entity = 'refund'
                            AND f.status = 'failed')
    ORDER BY l.source_id, l.id DESC
)
INSERT INTO qbo_sync.run_items (run_id, tenant_id, entity, source_id, source_ref, reason, amount)
SELECT %(run_id)s, f.tenant_id, 'refund', f.id, coalesce(f.reference, 'refund ' || f.id),
       CASE
           WHEN rc.resync_requested_at IS NOT NULL THEN 'resync'
           WHEN %(full_sync)s THEN 'full'
           WHEN fl.source_id IS NOT NULL THEN 'retry'
           ELSE 'changed'
       END,
       f.amount
FROM billing.refunds AS f
LEFT JOIN qbo_sync.entity_map AS m
       ON m.tenant_id = f.tenant_id AND m.entity IN ('refund', 'refund_check') AND m.source_id = f.id
LEFT JOIN qbo_sync.record_controls AS rc
       ON rc.tenant_id = f.tenant_id AND rc.entity = 'refund' AND rc.source_id = f.id
LEFT JOIN failed AS fl ON fl.source_id = f.id AND fl.status = 'failed'
-- Changed (edited, deleted) in QuickBooks: held until finance resyncs it.
LEFT JOIN qbo_sync.quickbooks_change_holds AS h
       ON h.tenant_id = f.tenant_id AND h.entity = 'refund' AND h.source_id = f.id
WHERE f.tenant_id = %(tenant_id)s
  AND (h.source_id IS NULL OR h.restore OR rc.resync_requested_at IS NOT NULL)
  AND f.origin = 'app'
  AND NOT coalesce(rc.excluded, false)
  AND (f.voided_at IS NULL OR m.source_id IS NOT NULL)
  AND (
         %(full_sync)s
      OR (f.created_at >= %(start)s AND f.created_at < %(end)s)
      OR (f.voided_at >= %(start)s AND f.voided_at < %(end)s)
      OR rc.resync_requested_at IS NOT NULL
      OR fl.source_id IS NOT NULL
      OR (m.source_id IS NOT NULL AND m.payload_hash IS DISTINCT FROM 'voided'
          AND (f.voided_at IS NOT NULL
               OR m.source_state IS DISTINCT FROM jsonb_build_object(
                      'amount', f.amount, 'refunded_at', extract(epoch FROM f.refunded_at),
                      'reference', f.reference, 'payment_id', f.payment_id)))
  )
ON CONFLICT DO NOTHING;
