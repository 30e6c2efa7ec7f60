-- A tenant's app payments that are in QuickBooks (all, or those of ids): amount, void, the
-- QuickBooks invoice they pay, and whether the app voided that invoice (QuickBooks then unlinks
-- its payments: their amount stays as unapplied credit); and whether the invoice was already
-- settled before this payment (its total less finalized credit notes and the live payments
-- sent before it): such an overpayment pays nothing there, its whole amount unapplied credit;
-- and its currency (its invoice's, else the tenant's).
SELECT p.id, coalesce(p.reference, 'payment ' || p.id), m.qbo_id, p.amount, p.voided_at IS NOT NULL,
       mi.qbo_id AS invoice_qbo_id, i.number, i.status = 'voided' AS invoice_voided,
       i.total - coalesce((SELECT sum(n.total) FROM billing.credit_notes AS n
                           WHERE n.invoice_id = i.id AND n.tenant_id = i.tenant_id
                             AND n.status = 'finalized'), 0)
               - coalesce((SELECT sum(o.amount) FROM billing.payments AS o
                           WHERE o.invoice_id = i.id AND o.tenant_id = i.tenant_id
                             AND o.voided_at IS NULL AND o.id < p.id), 0) <= 0 AS settled_before,
       coalesce(i.currency, t.currency) AS currency
FROM qbo_sync.entity_map AS m
JOIN billing.payments AS p ON p.id = m.source_id AND p.tenant_id = m.tenant_id
LEFT JOIN billing.invoices AS i ON i.id = p.invoice_id AND i.tenant_id = p.tenant_id
LEFT JOIN billing.tenants AS t ON t.id = p.tenant_id
LEFT JOIN qbo_sync.entity_map AS mi
       ON mi.tenant_id = p.tenant_id AND mi.entity = 'invoice' AND mi.source_id = p.invoice_id
WHERE m.tenant_id = %(tenant_id)s AND m.entity = 'payment'
  AND (%(ids)s::bigint[] IS NULL OR m.source_id = ANY(%(ids)s::bigint[]))
ORDER BY p.id;
