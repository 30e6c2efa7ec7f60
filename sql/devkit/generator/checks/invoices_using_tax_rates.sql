-- Invoices of a tenant with a line on one of the named tax rates.
SELECT DISTINCT l.invoice_id AS id
FROM billing.invoice_lines AS l
JOIN billing.tax_rates AS r ON r.id = l.tax_rate_id
JOIN billing.invoices AS i ON i.id = l.invoice_id
WHERE i.tenant_id = %(tenant_id)s AND r.name = ANY(%(names)s)
ORDER BY 1;
