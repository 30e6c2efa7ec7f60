-- The sync page's "Connect to QuickBooks" button: one row per authorization request it
-- started. Only the SHA-256 of the state sent to QuickBooks is kept (and of the browser's
-- cookie), never the values. A row is good once, for the user who started it, for its
-- tenant, from the browser that started it, until expires_at.
CREATE TABLE qbo_sync.oauth_connect_states (
    state_sha256   bytea PRIMARY KEY,
    tenant_id      bigint NOT NULL,
    user_id        text NOT NULL,
    browser_sha256 bytea NOT NULL,
    redirect_uri   text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL,
    used_at        timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX oauth_connect_states_expires ON qbo_sync.oauth_connect_states (expires_at);
