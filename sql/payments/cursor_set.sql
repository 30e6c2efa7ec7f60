-- A cursor only moves forward, and only in the transaction that wrote what it covers.
INSERT INTO qbo_sync.sync_cursors (tenant_id, name, position) VALUES (%(tenant_id)s, %(name)s, %(position)s)
ON CONFLICT (tenant_id, name) DO UPDATE
   SET position = greatest(qbo_sync.sync_cursors.position, EXCLUDED.position), updated_at = now();
