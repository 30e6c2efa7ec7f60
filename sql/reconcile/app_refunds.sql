-- A tenant's app refunds that went to QuickBooks (all, or those of ids): amount, and whether the
-- app voided it (its RefundReceipt is then deleted: none left in QuickBooks), and the currency
-- (its payment's invoice's, else the tenant's).
SELECT f.id, coalesce(f.reference, 'refund ' || f.id), m.qbo_id, f.amount, f.voided_at IS NOT NULL,
       coalesce(i.currency, t.currency) AS currency
FROM qbo_sync.entity_map AS m
JOIN billing.refunds AS f ON f.id = m.source_id AND f.tenant_id = m.tenant_id
LEFT JOIN billing.payments AS p ON p.id = f.payment_id AND p.tenant_id = f.tenant_id
LEFT JOIN billing.invoices AS i ON i.id = p.invoice_id AND i.tenant_id = f.tenant_id
LEFT JOIN billing.tenants AS t ON t.id = f.tenant_id
WHERE m.tenant_id = %(tenant_id)s AND m.entity = 'refund'
  AND (%(ids)s::bigint[] IS NULL OR m.source_id = ANY(%(ids)s::bigint[]))
ORDER BY f.id;
