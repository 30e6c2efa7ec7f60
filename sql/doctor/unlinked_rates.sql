-- Active app tax rates of a tenant not linked to a QuickBooks tax code yet.
SELECT tr.name, tr.rate
FROM billing.tax_rates AS tr
LEFT JOIN qbo_sync.tax_code_map AS m ON m.tenant_id = tr.tenant_id AND m.tax_rate_id = tr.id
WHERE tr.tenant_id = %(tenant_id)s AND tr.active AND m.qbo_tax_code_id IS NULL
ORDER BY tr.name;
