-- Take back one grant (tenant_id NULL: the "every tenant" grant, not the single ones).
DELETE FROM qbo_sync.tenant_access
WHERE principal_kind = %(kind)s AND principal = %(principal)s
  AND tenant_id IS NOT DISTINCT FROM %(tenant_id)s
RETURNING tenant_id;
