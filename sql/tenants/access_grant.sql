-- Grant one principal one tenant (or every tenant: tenant_id NULL); a repeat changes nothing.
INSERT INTO qbo_sync.tenant_access (principal_kind, principal, tenant_id, granted_by)
VALUES (%(kind)s, %(principal)s, %(tenant_id)s, %(granted_by)s)
ON CONFLICT (principal_kind, principal, coalesce(tenant_id, -1)) DO NOTHING
RETURNING tenant_id;
