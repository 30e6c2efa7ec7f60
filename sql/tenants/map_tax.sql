INSERT INTO qbo_sync.tax_code_map (tenant_id, tax_rate_id, qbo_tax_code_id)
VALUES (%(tenant_id)s, %(tax_rate_id)s, %(qbo_tax_code_id)s)
ON CONFLICT (tenant_id, tax_rate_id) DO UPDATE SET
    qbo_tax_code_id = EXCLUDED.qbo_tax_code_id, updated_at = now();
