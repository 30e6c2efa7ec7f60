-- What the sync linked on an app payment's QuickBooks Payment besides its invoice
-- (payments/kept_links.py): the cheques that paid back part of its credit (refunds of this
-- payment, payments/refund_checks.py; not undone), and the credit memos of the credit notes
-- of its invoice (a credit application the payment may carry). A payment edited in the app
-- keeps these lines when it is updated.
SELECT 'Check' AS txn_type, m.qbo_id, coalesce(f.reference, 'refund ' || f.id) AS ref
FROM billing.refunds AS f
JOIN qbo_sync.entity_map AS m
  ON m.tenant_id = f.tenant_id AND m.entity = 'refund_check' AND m.source_id = f.id
WHERE f.tenant_id = %(tenant_id)s AND f.payment_id = %(payment_id)s
  AND m.payload_hash IS DISTINCT FROM 'voided'
UNION ALL
SELECT 'CreditMemo', m.qbo_id, coalesce(n.number, 'credit note ' || n.id)
FROM billing.payments AS p
JOIN billing.credit_notes AS n ON n.tenant_id = p.tenant_id AND n.invoice_id = p.invoice_id
JOIN qbo_sync.entity_map AS m
  ON m.tenant_id = n.tenant_id AND m.entity = 'credit_memo' AND m.source_id = n.id
WHERE p.tenant_id = %(tenant_id)s AND p.id = %(payment_id)s
  AND m.payload_hash IS DISTINCT FROM 'voided';
