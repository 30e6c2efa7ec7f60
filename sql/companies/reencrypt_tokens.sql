UPDATE qbo_sync.tenant_connections
   SET access_token_enc = %(access_token_enc)s,
       refresh_token_enc = %(refresh_token_enc)s,
       updated_at = now()
 WHERE tenant_id = %(tenant_id)s;
