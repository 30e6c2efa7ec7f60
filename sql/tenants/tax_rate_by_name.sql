SELECT id, rate FROM billing.tax_rates WHERE tenant_id = %(tenant_id)s AND name = %(name)s;
