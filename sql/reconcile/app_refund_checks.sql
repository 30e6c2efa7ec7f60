-- A tenant's app refunds paid back by cheque (all, or those of ids; payments/refund_checks.py):
-- the cheque's QuickBooks Id (a Check, read as a Purchase), the refund's amount, whether the app
-- voided it (the sync then unlinks and deletes the cheque: nothing left to compare), the
-- currency (its payment's invoice's, else the tenant's), and the QuickBooks Payment whose
-- unapplied credit the cheque pays back, with the payment's reference.
SELECT f.id, coalesce(f.reference, 'refund ' || f.id), m.qbo_id, f.amount, f.voided_at IS NOT NULL,
       coalesce(i.currency, t.currency) AS currency,
       coalesce(mp.qbo_id, CASE WHEN p.origin = 'quickbooks' THEN p.external_id END) AS payment_qbo_id,
       coalesce(p.reference, 'payment ' || p.id) AS payment_ref
FROM qbo_sync.entity_map AS m
JOIN billing.refunds AS f ON f.id = m.source_id AND f.tenant_id = m.tenant_id
LEFT JOIN billing.payments AS p ON p.id = f.payment_id AND p.tenant_id = f.tenant_id
LEFT JOIN billing.invoices AS i ON i.id = p.invoice_id AND i.tenant_id = f.tenant_id
LEFT JOIN billing.tenants AS t ON t.id = f.tenant_id
LEFT JOIN qbo_sync.entity_map AS mp
       ON mp.tenant_id = f.tenant_id AND mp.entity = 'payment' AND mp.source_id = p.id
WHERE m.tenant_id = %(tenant_id)s AND m.entity = 'refund_check'
  AND (%(ids)s::bigint[] IS NULL OR m.source_id = ANY(%(ids)s::bigint[]))
ORDER BY f.id;
