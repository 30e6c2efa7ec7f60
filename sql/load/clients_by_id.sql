SELECT c.id, c.tenant_id, c.first_name, c.last_name, c.company_name, c.email, c.phone,
       c.parent_client_id, c.active
FROM billing.clients AS c
WHERE c.id = ANY(%(ids)s);
