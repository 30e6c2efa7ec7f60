INSERT INTO qbo_sync.entity_map (tenant_id, entity, source_id, realm_id, qbo_id, sync_token,
                                 payload_hash, doc_number)
VALUES (%(tenant_id)s, %(entity)s, %(source_id)s, %(realm_id)s, %(qbo_id)s, %(sync_token)s,
        %(payload_hash)s, %(doc_number)s)
ON CONFLICT (tenant_id, entity, source_id) DO UPDATE SET
    qbo_id = EXCLUDED.qbo_id,
    realm_id = EXCLUDED.realm_id,
    sync_token = EXCLUDED.sync_token,
    payload_hash = EXCLUDED.payload_hash,
    doc_number = EXCLUDED.doc_number,
    last_synced_at = now();
