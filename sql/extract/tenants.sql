-- Every tenant with a QuickBooks connection whose sync is not switched off.
SELECT c.tenant_id,
       t.name AS tenant_name,
       c.realm_id,
       c.status,
       c.status_reason,
       c.connected_at
FROM qbo_sync.tenant_connections AS c
JOIN billing.tenants AS t ON t.id = c.tenant_id
LEFT JOIN qbo_sync.tenant_settings AS s ON s.tenant_id = c.tenant_id
WHERE c.status <> 'disconnected'
  AND coalesce(s.sync_enabled, true)
ORDER BY c.tenant_id;
