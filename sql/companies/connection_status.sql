-- Every tenant's connection, without the tokens.
SELECT tenant_id, realm_id, status, status_reason, connected_at,
       access_token_expires_at, refresh_token_expires_at, refreshed_at
  FROM qbo_sync.tenant_connections
 ORDER BY tenant_id;
