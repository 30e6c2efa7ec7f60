SELECT tr.id, tr.name, tr.rate, tr.active, m.qbo_tax_code_id
FROM billing.tax_rates AS tr
LEFT JOIN qbo_sync.tax_code_map AS m ON m.tenant_id = tr.tenant_id AND m.tax_rate_id = tr.id
WHERE tr.tenant_id = %(tenant_id)s;
