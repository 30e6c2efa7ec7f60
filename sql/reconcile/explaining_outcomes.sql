-- For records whose two books differ: the latest sync-log outcome of each record, and of the
-- records that move it (an invoice's void, payments, credit notes, QuickBooks payments not
-- imported; a payment's or credit note's invoice; the payment a refund's cheque is linked on),
-- that says something went otherwise than synced: failed, excluded, or an outcome with a code (skipped on purpose, a change noticed
-- in QuickBooks). The plain "unchanged" skip and plain syncs explain nothing.
WITH wanted AS (
    SELECT * FROM unnest(%(entity)s::text[], %(source_id)s::bigint[]) AS w(entity, source_id)
),
related AS (
    SELECT w.entity AS for_entity, w.source_id AS for_id, w.entity, w.source_id FROM wanted AS w
    UNION ALL
    SELECT w.entity, w.source_id, 'invoice_void', w.source_id FROM wanted AS w WHERE w.entity = 'invoice'
    UNION ALL
    SELECT w.entity, w.source_id, 'payment_import', w.source_id FROM wanted AS w WHERE w.entity = 'invoice'
    UNION ALL
    SELECT w.entity, w.source_id, 'payment', p.id
    FROM wanted AS w JOIN billing.payments AS p ON p.invoice_id = w.source_id AND p.tenant_id = %(tenant_id)s
    WHERE w.entity = 'invoice' AND p.origin = 'app'
    UNION ALL
    SELECT w.entity, w.source_id, 'credit_memo', n.id
    FROM wanted AS w JOIN billing.credit_notes AS n ON n.invoice_id = w.source_id AND n.tenant_id = %(tenant_id)s
    WHERE w.entity = 'invoice'
    UNION ALL
    SELECT w.entity, w.source_id, 'invoice', p.invoice_id
    FROM wanted AS w JOIN billing.payments AS p ON p.id = w.source_id AND p.tenant_id = %(tenant_id)s
    WHERE w.entity = 'payment' AND p.invoice_id IS NOT NULL
    UNION ALL
    SELECT w.entity, w.source_id, 'invoice', n.invoice_id
    FROM wanted AS w JOIN billing.credit_notes AS n ON n.id = w.source_id AND n.tenant_id = %(tenant_id)s
    WHERE w.entity = 'credit_memo' AND n.invoice_id IS NOT NULL
    UNION ALL
    -- a refund paid back by cheque is linked on its payment: what moved the payment moves it
    SELECT w.entity, w.source_id, 'payment', f.payment_id
    FROM wanted AS w JOIN billing.refunds AS f ON f.id = w.source_id AND f.tenant_id = %(tenant_id)s
    WHERE w.entity = 'refund' AND f.payment_id IS NOT NULL
      AND EXISTS (SELECT 1 FROM qbo_sync.entity_map AS k
                  WHERE k.tenant_id = f.tenant_id AND k.entity = 'refund_check' AND k.source_id = f.id)
)
SELECT r.for_entity, r.for_id, r.entity, r.source_id, s.source_ref,
       CASE WHEN rc.excluded THEN 'excluded' ELSE s.status END, s.error_code, s.cause, s.logged_at
FROM related AS r
CROSS JOIN LATERAL (
    SELECT l.source_ref, l.status, l.error_code, l.cause, l.logged_at
    FROM qbo_sync.sync_log AS l
    WHERE l.tenant_id = %(tenant_id)s AND l.entity = r.entity AND l.source_id = r.source_id
    ORDER BY l.id DESC
    LIMIT 1
) AS s
LEFT JOIN qbo_sync.record_controls AS rc
       ON rc.tenant_id = %(tenant_id)s AND rc.entity = r.entity AND rc.source_id = r.source_id
WHERE s.status IN ('failed', 'excluded') OR rc.excluded OR s.error_code IS NOT NULL
ORDER BY r.for_entity, r.for_id, s.logged_at DESC;
