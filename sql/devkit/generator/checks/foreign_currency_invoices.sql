-- Invoices in another currency than their tenant's (the currency_needs_multicurrency case).
SELECT i.id
FROM billing.invoices AS i
JOIN billing.tenants AS t ON t.id = i.tenant_id
WHERE i.currency <> t.currency
ORDER BY i.id;
