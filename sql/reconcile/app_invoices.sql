-- A tenant's invoices that are in QuickBooks (all of them, or those of ids), with what the app
-- says QuickBooks should hold: total, tax, status, and the balance (total less live payments
-- and finalized credit notes; never below zero: QuickBooks applies no more than an invoice
-- owes, and an overpayment's excess stays with the customer as unapplied credit), and the
-- invoice's currency (the tenant's when the app leaves it empty).
SELECT i.id, i.number, m.qbo_id, i.status, i.total, i.tax_total,
       greatest(
           i.total - coalesce((SELECT sum(p.amount) FROM billing.payments AS p
                               WHERE p.invoice_id = i.id AND p.tenant_id = i.tenant_id
                                 AND p.voided_at IS NULL), 0)
                   - coalesce((SELECT sum(n.total) FROM billing.credit_notes AS n
                               WHERE n.invoice_id = i.id AND n.tenant_id = i.tenant_id
                                 AND n.status = 'finalized'), 0),
           0) AS balance,
       i.tax_mode, coalesce(i.currency, t.currency) AS currency
FROM qbo_sync.entity_map AS m
JOIN billing.invoices AS i ON i.id = m.source_id AND i.tenant_id = m.tenant_id
LEFT JOIN billing.tenants AS t ON t.id = i.tenant_id
WHERE m.tenant_id = %(tenant_id)s AND m.entity = 'invoice'
  AND (%(ids)s::bigint[] IS NULL OR m.source_id = ANY(%(ids)s::bigint[]))
ORDER BY i.id;
