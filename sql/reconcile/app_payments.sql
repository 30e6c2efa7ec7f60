-- A tenant's app payments that are in QuickBooks (all, or those of ids): amount, void, the
-- QuickBooks invoice they pay, and whether the app voided that invoice (QuickBooks then unlinks
-- its payments: their amount stays as unapplied credit).
SELECT p.id, coalesce(p.reference, 'payment ' || p.id), m.qbo_id, p.amount, p.voided_at IS NOT NULL,
       mi.qbo_id AS invoice_qbo_id, i.number, i.status = 'voided' AS invoice_voided
FROM qbo_sync.entity_map AS m
JOIN billing.payments AS p ON p.id = m.source_id AND p.tenant_id = m.tenant_id
LEFT JOIN billing.invoices AS i ON i.id = p.invoice_id AND i.tenant_id = p.tenant_id
LEFT JOIN qbo_sync.entity_map AS mi
       ON mi.tenant_id = p.tenant_id AND mi.entity = 'invoice' AND mi.source_id = p.invoice_id
WHERE m.tenant_id = %(tenant_id)s AND m.entity = 'payment'
  AND (%(ids)s::bigint[] IS NULL OR m.source_id = ANY(%(ids)s::bigint[]))
ORDER BY p.id;
