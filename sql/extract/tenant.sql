-- One tenant as extract/tenants.sql lists it (its connection as it stands now), or no row
-- when its connection was removed or its sync switched off.
SELECT c.tenant_id,
       t.name AS tenant_name,
       c.realm_id,
       c.status,
       c.status_reason,
       c.connected_at
FROM qbo_sync.tenant_connections AS c
JOIN billing.tenants AS t ON t.id = c.tenant_id
LEFT JOIN qbo_sync.tenant_settings AS s ON s.tenant_id = c.tenant_id
WHERE c.tenant_id = %(tenant_id)s
  AND c.status <> 'disconnected'
  AND coalesce(s.sync_enabled, true);
