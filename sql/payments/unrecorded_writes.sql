-- App payments and credit-note applications named by a QuickBooks payment's note tag that
-- this sync may have written without recording the QuickBooks Id yet (an answer lost and not
-- recovered): the tenant's own, not yet in the entity map, with what they must look like
-- (amount, the QuickBooks Id of their invoice). A tag naming anything else is only text.
SELECT 'payment' AS kind, p.id AS source_id, p.amount, inv.qbo_id AS invoice_qbo
FROM billing.payments AS p
JOIN qbo_sync.entity_map AS inv
  ON inv.tenant_id = p.tenant_id AND inv.entity = 'invoice' AND inv.source_id = p.invoice_id
WHERE p.tenant_id = %(tenant_id)s AND p.id = ANY(%(payment_ids)s) AND p.origin = 'app'
  AND NOT EXISTS (SELECT 1 FROM qbo_sync.entity_map AS m
                  WHERE m.tenant_id = p.tenant_id AND m.entity = 'payment' AND m.source_id = p.id)
UNION ALL
SELECT 'credit_application', n.id, NULL, inv.qbo_id
FROM billing.credit_notes AS n
JOIN qbo_sync.entity_map AS inv
  ON inv.tenant_id = n.tenant_id AND inv.entity = 'invoice' AND inv.source_id = n.invoice_id
WHERE n.tenant_id = %(tenant_id)s AND n.id = ANY(%(credit_note_ids)s)
  AND NOT EXISTS (SELECT 1 FROM qbo_sync.entity_map AS m
                  WHERE m.tenant_id = n.tenant_id AND m.entity = 'credit_application' AND m.source_id = n.id);
