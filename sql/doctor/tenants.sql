-- Every tenant connected to QuickBooks (not disconnected), with its stored encrypted tokens.
SELECT c.tenant_id, coalesce(t.name, '?'), c.realm_id, c.status, c.status_reason, c.connected_at,
       c.access_token_enc, c.refresh_token_enc
FROM qbo_sync.tenant_connections AS c
LEFT JOIN billing.tenants AS t ON t.id = c.tenant_id
WHERE c.status <> 'disconnected'
  AND (%(tenant_id)s::bigint IS NULL OR c.tenant_id = %(tenant_id)s)
ORDER BY c.tenant_id;
