SELECT id FROM billing.tenants WHERE id = %(tenant_id)s;
