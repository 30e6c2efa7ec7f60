SELECT c.id, c.tenant_id FROM billing.clients AS c WHERE c.id = ANY(%(ids)s);
