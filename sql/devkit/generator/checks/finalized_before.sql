-- Invoices of a tenant finalized before a moment (its QuickBooks connection: historical).
SELECT id FROM billing.invoices
WHERE tenant_id = %(tenant_id)s AND finalized_at < %(moment)s
ORDER BY id;
