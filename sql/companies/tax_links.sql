-- The tenant's active app tax rates and the QuickBooks tax code each is linked to (NULL: not linked).
SELECT tr.name, m.qbo_tax_code_id
FROM billing.tax_rates AS tr
LEFT JOIN qbo_sync.tax_code_map AS m ON m.tenant_id = tr.tenant_id AND m.tax_rate_id = tr.id
WHERE tr.tenant_id = %(tenant_id)s AND tr.active
ORDER BY tr.name;
