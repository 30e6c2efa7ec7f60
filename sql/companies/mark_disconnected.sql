-- The tenant was disconnected on purpose (tokens revoked): nothing is synced for it.
UPDATE qbo_sync.tenant_connections
   SET status = 'disconnected',
       status_reason = %(reason)s,
       access_token_enc = NULL,
       access_token_expires_at = NULL,
       refresh_token_enc = NULL,
       updated_at = now()
 WHERE tenant_id = %(tenant_id)s;
