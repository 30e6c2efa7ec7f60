-- The stored (encrypted) tokens and status of one tenant's company.
SELECT tenant_id, realm_id, status, status_reason,
       access_token_enc, access_token_expires_at,
       refresh_token_enc, refresh_token_expires_at
  FROM qbo_sync.tenant_connections
 WHERE tenant_id = %(tenant_id)s;
