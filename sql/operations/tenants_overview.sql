-- Every tenant with its QuickBooks connection status (never the tokens).
SELECT t.id AS tenant_id, t.name AS tenant_name, c.realm_id,
       coalesce(c.status, 'not_connected') AS status, c.status_reason, c.connected_at,
       c.refresh_token_expires_at, c.refreshed_at, coalesce(s.sync_enabled, true) AS sync_enabled
FROM billing.tenants AS t
LEFT JOIN qbo_sync.tenant_connections AS c ON c.tenant_id = t.id
LEFT JOIN qbo_sync.tenant_settings AS s ON s.tenant_id = t.id
ORDER BY t.id;
