-- Use an authorization request once: of two callbacks racing with the same state, one
-- gets the row back, the other nothing.
UPDATE qbo_sync.oauth_connect_states
   SET used_at = now()
 WHERE state_sha256 = %(state_sha256)s AND used_at IS NULL AND expires_at > now()
RETURNING tenant_id;
