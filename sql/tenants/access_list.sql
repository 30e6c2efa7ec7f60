-- Every grant, with the tenant's name (NULL tenant: every tenant).
SELECT a.principal_kind, a.principal, a.tenant_id, t.name, a.granted_by, a.granted_at
FROM qbo_sync.tenant_access AS a
LEFT JOIN billing.tenants AS t ON t.id = a.tenant_id
ORDER BY a.principal_kind, a.principal, a.tenant_id NULLS FIRST;
