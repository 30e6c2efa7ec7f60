-- The records one run touched for a tenant (an outcome in the run's sync log), as the entities
-- reconciliation compares: a void is its invoice, a payment read back from QuickBooks is the
-- invoice it pays, and a payment or credit note also touches its invoice's balance.
WITH logged AS (
    SELECT l.entity, l.source_id, l.status
    FROM qbo_sync.sync_log AS l
    WHERE l.run_id = %(run_id)s AND l.tenant_id = %(tenant_id)s AND l.source_id IS NOT NULL
)
SELECT 'invoice' AS entity, source_id FROM logged WHERE entity IN ('invoice', 'invoice_void')
UNION
SELECT 'invoice', p.invoice_id
FROM logged AS g JOIN billing.payments AS p ON p.id = g.source_id AND p.tenant_id = %(tenant_id)s
WHERE (g.entity = 'payment' OR (g.entity = 'payment_import' AND g.status = 'synced'))
  AND p.invoice_id IS NOT NULL
UNION
-- a QuickBooks payment that was not imported is logged against its invoice
SELECT 'invoice', source_id FROM logged WHERE entity = 'payment_import' AND status <> 'synced'
UNION
SELECT 'invoice', n.invoice_id
FROM logged AS g JOIN billing.credit_notes AS n ON n.id = g.source_id AND n.tenant_id = %(tenant_id)s
WHERE g.entity = 'credit_memo' AND n.invoice_id IS NOT NULL
UNION
SELECT entity, source_id FROM logged WHERE entity IN ('payment', 'credit_memo', 'customer', 'refund');
