-- A tenant's staged app refunds with what sending them needs: the refunded payment (whether it
-- exists, is voided, is in QuickBooks: sent by the sync, or read back from there), its customer
-- in QuickBooks, what earlier live refunds of the same payment already gave back (with every
-- live one read back from QuickBooks, whatever its id), and the
-- refund's own RefundReceipt if it was sent before (with whether the app still says the same);
-- then the payment's QuickBooks Id (sent by the sync, or read back from there) and the refund's
-- cheque if it paid back the payment's unapplied credit (payments/refund_checks.py).
SELECT f.id, f.amount, f.refunded_at, f.method, f.reference, f.reason, f.voided_at, f.payment_id,
       p.id IS NOT NULL AS payment_exists, p.amount AS payment_amount, p.voided_at AS payment_voided_at,
       coalesce(p.reference, 'payment ' || p.id) AS payment_ref,
       (mp.qbo_id IS NOT NULL OR p.origin = 'quickbooks') AS payment_in_quickbooks,
       mc.qbo_id AS customer_qbo_id,
       (SELECT coalesce(sum(o.amount), 0) FROM billing.refunds AS o
        WHERE o.tenant_id = f.tenant_id AND o.payment_id = f.payment_id
          AND (o.id < f.id OR o.origin = 'quickbooks') AND o.voided_at IS NULL) AS refunded_before,
       mr.qbo_id AS refund_qbo_id, mr.sync_token, mr.payload_hash,
       -- the same, and QuickBooks holds what we sent (a change made there clears the hash)
       mr.payload_hash IS NOT NULL AND mr.source_state IS NOT DISTINCT FROM jsonb_build_object(
           'amount', f.amount, 'refunded_at', extract(epoch FROM f.refunded_at),
           'reference', f.reference, 'payment_id', f.payment_id) AS state_same,
       coalesce(mp.qbo_id, CASE WHEN p.origin = 'quickbooks' THEN p.external_id END) AS payment_qbo_id,
       mk.qbo_id AS check_qbo_id, mk.sync_token AS check_sync_token, mk.payload_hash AS check_hash,
       mk.payload_hash IS NOT NULL AND mk.source_state IS NOT DISTINCT FROM jsonb_build_object(
           'amount', f.amount, 'refunded_at', extract(epoch FROM f.refunded_at),
           'reference', f.reference, 'payment_id', f.payment_id) AS check_state_same
FROM qbo_sync.run_items AS r
JOIN billing.refunds AS f ON f.id = r.source_id AND f.tenant_id = r.tenant_id
LEFT JOIN billing.payments AS p ON p.id = f.payment_id AND p.tenant_id = f.tenant_id
LEFT JOIN billing.invoices AS i ON i.id = p.invoice_id AND i.tenant_id = p.tenant_id
LEFT JOIN qbo_sync.entity_map AS mp
       ON mp.tenant_id = f.tenant_id AND mp.entity = 'payment' AND mp.source_id = p.id
LEFT JOIN qbo_sync.entity_map AS mc
       ON mc.tenant_id = f.tenant_id AND mc.entity = 'customer'
      AND mc.source_id = coalesce(i.client_id, p.client_id)
LEFT JOIN qbo_sync.entity_map AS mr
       ON mr.tenant_id = f.tenant_id AND mr.entity = 'refund' AND mr.source_id = f.id
LEFT JOIN qbo_sync.entity_map AS mk
       ON mk.tenant_id = f.tenant_id AND mk.entity = 'refund_check' AND mk.source_id = f.id
WHERE r.run_id = %(run_id)s AND r.tenant_id = %(tenant_id)s AND r.entity = 'refund'
  AND r.state = 'extracted'
ORDER BY f.id;
