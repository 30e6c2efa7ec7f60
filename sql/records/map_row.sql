-- Our map row of one app record: which QuickBooks record (and company) stands for it.
SELECT m.realm_id, m.qbo_id, m.sync_token, m.doc_number, m.last_synced_at
FROM qbo_sync.entity_map AS m
WHERE m.tenant_id = %(tenant_id)s AND m.entity = %(entity)s AND m.source_id = %(source_id)s;
