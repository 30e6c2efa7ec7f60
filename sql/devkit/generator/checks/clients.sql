SELECT id, tenant_id, first_name, last_name, company_name, email, phone, parent_client_id
FROM billing.clients
ORDER BY id;
