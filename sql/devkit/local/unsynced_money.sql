-- Payments and credit notes of an invoice whose latest outcome is not synced, and QuickBooks
-- payments not imported: why its balance may differ between the two systems.
SELECT l.entity, l.source_ref, l.status, l.error_code
FROM qbo_sync.record_status AS l
LEFT JOIN billing.payments AS p ON l.entity = 'payment' AND p.id = l.source_id
LEFT JOIN billing.credit_notes AS n ON l.entity = 'credit_memo' AND n.id = l.source_id
WHERE l.tenant_id = %(tenant_id)s AND l.status <> 'synced'
  AND (coalesce(p.invoice_id, n.invoice_id) = %(invoice_id)s
       -- a QuickBooks payment not imported is logged against its invoice
       OR (l.entity = 'payment_import' AND l.source_id = %(invoice_id)s));
