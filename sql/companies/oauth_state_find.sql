-- One authorization request by the hash of its state, with what the callback checks.
SELECT tenant_id, user_id, browser_sha256, redirect_uri,
       expires_at <= now() AS expired, used_at IS NOT NULL AS used
  FROM qbo_sync.oauth_connect_states
 WHERE state_sha256 = %(state_sha256)s;
