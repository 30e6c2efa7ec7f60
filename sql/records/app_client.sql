-- One client of a tenant, as link and unlink name it (no row: the tenant has no such client).
SELECT c.id,
       coalesce(nullif(trim(concat_ws(' ', c.first_name, c.last_name)), ''), c.company_name) AS name,
       c.parent_client_id
FROM billing.clients AS c
WHERE c.tenant_id = %(tenant_id)s AND c.id = %(source_id)s;
