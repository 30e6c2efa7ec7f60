-- A tenant's class and location (QuickBooks Class / Department Ids) for every invoice.
SELECT s.class_id, s.department_id
FROM qbo_sync.tenant_settings AS s
WHERE s.tenant_id = %(tenant_id)s;
