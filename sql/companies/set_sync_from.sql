-- Where the tenant's history starts: records finalized before connected_at are historical
-- and never synced (validate's historical_invoice). Returns the previous value.
UPDATE qbo_sync.tenant_connections AS c
   SET connected_at = %(sync_from)s, updated_at = now()
  FROM qbo_sync.tenant_connections AS old
 WHERE c.tenant_id = %(tenant_id)s AND old.tenant_id = c.tenant_id
RETURNING old.connected_at;
