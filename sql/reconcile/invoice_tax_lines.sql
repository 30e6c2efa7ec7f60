-- The lines of some invoices with their tax rate: QuickBooks' own tax arithmetic (per line)
-- recomputed, to tell a tax difference QuickBooks' rounding makes from any other.
SELECT l.invoice_id, l.amount, r.rate
FROM billing.invoice_lines AS l
JOIN billing.invoices AS i ON i.id = l.invoice_id
LEFT JOIN billing.tax_rates AS r ON r.id = l.tax_rate_id AND r.tenant_id = i.tenant_id
WHERE i.tenant_id = %(tenant_id)s AND l.invoice_id = ANY(%(ids)s::bigint[])
ORDER BY l.invoice_id, l.position, l.id;
