-- One run's invoice amount synced, per tenant and currency (the invoice's, else the tenant's):
-- an invoice billed in another currency is never added into the home-currency figure.
SELECT l.tenant_id, coalesce(i.currency, t.currency) AS currency, sum(l.amount) AS amount
FROM qbo_sync.sync_log AS l
LEFT JOIN billing.invoices AS i ON i.id = l.source_id AND i.tenant_id = l.tenant_id
LEFT JOIN billing.tenants AS t ON t.id = l.tenant_id
WHERE l.run_id = %(run_id)s AND l.entity = 'invoice' AND l.status = 'synced' AND l.amount IS NOT NULL
GROUP BY l.tenant_id, coalesce(i.currency, t.currency)
ORDER BY l.tenant_id, count(*) DESC, 2;
