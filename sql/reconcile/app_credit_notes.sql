-- A tenant's credit notes that are in QuickBooks as CreditMemos (all, or those of ids): total,
-- status, the QuickBooks invoice they credit and the payment that applies them to it, and the
-- currency (their invoice's, else the tenant's).
SELECT n.id, coalesce(n.number, 'credit note ' || n.id), m.qbo_id, n.total, n.status,
       mi.qbo_id AS invoice_qbo_id, ma.qbo_id AS application_qbo_id,
       coalesce(ni.currency, t.currency) AS currency
FROM qbo_sync.entity_map AS m
JOIN billing.credit_notes AS n ON n.id = m.source_id AND n.tenant_id = m.tenant_id
LEFT JOIN billing.invoices AS ni ON ni.id = n.invoice_id AND ni.tenant_id = n.tenant_id
LEFT JOIN billing.tenants AS t ON t.id = n.tenant_id
LEFT JOIN qbo_sync.entity_map AS mi
       ON mi.tenant_id = n.tenant_id AND mi.entity = 'invoice' AND mi.source_id = n.invoice_id
LEFT JOIN qbo_sync.entity_map AS ma
       ON ma.tenant_id = n.tenant_id AND ma.entity = 'credit_application' AND ma.source_id = n.id
WHERE m.tenant_id = %(tenant_id)s AND m.entity = 'credit_memo'
  AND (%(ids)s::bigint[] IS NULL OR m.source_id = ANY(%(ids)s::bigint[]))
ORDER BY n.id;
