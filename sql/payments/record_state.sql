-- What the app record said when the sync last wrote it (a credit memo: its total and invoice).
UPDATE qbo_sync.entity_map
SET source_state = %(state)s::jsonb
WHERE tenant_id = %(tenant_id)s AND entity = %(entity)s AND source_id = %(source_id)s;
