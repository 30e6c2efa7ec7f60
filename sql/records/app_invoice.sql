-- One invoice of a tenant, as link and unlink judge it (no row: the tenant has no such invoice).
SELECT i.id, i.number, i.client_id, i.status, i.origin, i.total
FROM billing.invoices AS i
WHERE i.tenant_id = %(tenant_id)s AND i.id = %(source_id)s;
