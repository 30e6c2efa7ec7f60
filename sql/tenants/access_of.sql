-- The tenants granted to a user by name or through any of their roles (NULL: every tenant).
SELECT DISTINCT tenant_id FROM qbo_sync.tenant_access
WHERE (principal_kind = 'user' AND principal = %(user)s)
   OR (principal_kind = 'role' AND principal = ANY(%(roles)s));
