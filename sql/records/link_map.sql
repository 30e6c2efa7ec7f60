-- Link: our map now says this app record IS that QuickBooks record. No hash of what we sent
-- (we sent nothing): the next time the app record is staged (it changes, or is resynced) the
-- sync updates the QuickBooks record with the app's version, with this SyncToken or a newer one.
INSERT INTO qbo_sync.entity_map (tenant_id, entity, source_id, realm_id, qbo_id, sync_token,
                                 payload_hash, doc_number, first_synced_at, last_synced_at)
VALUES (%(tenant_id)s, %(entity)s, %(source_id)s, %(realm_id)s, %(qbo_id)s, %(sync_token)s,
        NULL, %(doc_number)s, now(), now())
ON CONFLICT (tenant_id, entity, source_id) DO UPDATE SET
    realm_id = EXCLUDED.realm_id,
    qbo_id = EXCLUDED.qbo_id,
    sync_token = EXCLUDED.sync_token,
    payload_hash = NULL,
    doc_number = EXCLUDED.doc_number,
    customer_qbo_id = NULL,  -- another record: its customer is read before a move (load/moves.py)
    first_synced_at = now(),
    last_synced_at = now();
