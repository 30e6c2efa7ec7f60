-- For invoices whose balances differ: the app's payments and credit notes on them that the
-- sync has not sent yet, so that the two books differ until the next run: new ones not in
-- QuickBooks (no map entry), and ones voided in the app whose QuickBooks record is still there
-- (not yet voided or deleted by the sync). A record changed after the last run's window (or
-- staged by no run yet) is one; the next run that covers it closes the difference.
SELECT 'payment' AS kind, p.invoice_id, p.id, coalesce(p.reference, 'payment ' || p.id), p.amount,
       p.voided_at IS NOT NULL AS voided
FROM billing.payments AS p
LEFT JOIN qbo_sync.entity_map AS m
       ON m.tenant_id = p.tenant_id AND m.entity = 'payment' AND m.source_id = p.id
WHERE p.tenant_id = %(tenant_id)s AND p.invoice_id = ANY(%(invoice_ids)s::bigint[]) AND p.origin = 'app'
  AND ((p.voided_at IS NULL AND m.source_id IS NULL)
       OR (p.voided_at IS NOT NULL AND m.source_id IS NOT NULL AND m.payload_hash IS DISTINCT FROM 'voided'))
UNION ALL
SELECT 'credit note', n.invoice_id, n.id, coalesce(n.number, 'credit note ' || n.id), n.total,
       n.status = 'voided'
FROM billing.credit_notes AS n
LEFT JOIN qbo_sync.entity_map AS m
       ON m.tenant_id = n.tenant_id AND m.entity = 'credit_memo' AND m.source_id = n.id
WHERE n.tenant_id = %(tenant_id)s AND n.invoice_id = ANY(%(invoice_ids)s::bigint[])
  AND ((n.status = 'finalized' AND m.source_id IS NULL)
       OR (n.status = 'voided' AND m.source_id IS NOT NULL AND m.payload_hash IS DISTINCT FROM 'voided'))
ORDER BY 2, 1, 3;
