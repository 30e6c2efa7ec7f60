-- A new authorization request from the sync page (see migration 0009).
INSERT INTO qbo_sync.oauth_connect_states
       (state_sha256, tenant_id, user_id, browser_sha256, redirect_uri, expires_at)
VALUES (%(state_sha256)s, %(tenant_id)s, %(user_id)s, %(browser_sha256)s, %(redirect_uri)s,
        now() + make_interval(secs => %(lifetime_seconds)s));
