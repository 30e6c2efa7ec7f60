-- After a refresh: the new (encrypted) tokens, committed before the access token is used.
UPDATE qbo_sync.tenant_connections
   SET access_token_enc = %(access_token_enc)s,
       access_token_expires_at = %(access_token_expires_at)s,
       refresh_token_enc = %(refresh_token_enc)s,
       refresh_token_expires_at = coalesce(%(refresh_token_expires_at)s, refresh_token_expires_at),
       refreshed_at = now(),
       updated_at = now()
 WHERE tenant_id = %(tenant_id)s;
