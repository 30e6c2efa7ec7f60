SELECT id, tenant_id, name, rate FROM billing.tax_rates ORDER BY id;
