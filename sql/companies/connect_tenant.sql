-- Connect (or reconnect) a tenant to a company. connected_at only moves when the tenant
-- switches to another company: invoices before it are historical and never synced.
INSERT INTO qbo_sync.tenant_connections AS c
       (tenant_id, realm_id, status, status_reason, connected_at,
        access_token_enc, access_token_expires_at, refresh_token_enc, refresh_token_expires_at,
        refreshed_at, updated_at)
VALUES (%(tenant_id)s, %(realm_id)s, 'connected', NULL, now(),
        %(access_token_enc)s, %(access_token_expires_at)s, %(refresh_token_enc)s,
        %(refresh_token_expires_at)s, CASE WHEN %(access_token_enc)s::bytea IS NULL THEN NULL ELSE now() END,
        now())
ON CONFLICT (tenant_id) DO UPDATE
   SET realm_id = EXCLUDED.realm_id,
       status = 'connected',
       status_reason = NULL,
       connected_at = CASE WHEN c.realm_id = EXCLUDED.realm_id THEN c.connected_at ELSE now() END,
       access_token_enc = EXCLUDED.access_token_enc,
       access_token_expires_at = EXCLUDED.access_token_expires_at,
       refresh_token_enc = EXCLUDED.refresh_token_enc,
       refresh_token_expires_at = EXCLUDED.refresh_token_expires_at,
       refreshed_at = EXCLUDED.refreshed_at,
       updated_at = now();
