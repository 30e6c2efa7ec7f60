-- QuickBooks refused the refresh token: a person must reconnect this tenant's company.
-- The dead tokens are dropped so nothing keeps trying them.
UPDATE qbo_sync.tenant_connections
   SET status = 'reconnect_required',
       status_reason = %(reason)s,
       access_token_enc = NULL,
       access_token_expires_at = NULL,
       refresh_token_enc = NULL,
       updated_at = now()
 WHERE tenant_id = %(tenant_id)s;
