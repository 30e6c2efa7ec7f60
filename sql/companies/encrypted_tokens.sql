-- For re-encrypting with a new key: every stored token, locked until the rewrite commits.
SELECT tenant_id, access_token_enc, refresh_token_enc
  FROM qbo_sync.tenant_connections
 WHERE access_token_enc IS NOT NULL OR refresh_token_enc IS NOT NULL
 ORDER BY tenant_id
   FOR UPDATE;
