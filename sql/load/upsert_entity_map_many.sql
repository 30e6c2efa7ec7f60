-- Our map (source id -> QuickBooks Id, SyncToken, hash of what we sent) for the records
-- QuickBooks accepted, one batch or one record, in one statement (arrays of equal length;
-- a record appears once). A write of ours forgets the fingerprint of what QuickBooks held
-- before it (changes/fingerprint.py), and ends the record's open change made in QuickBooks
-- (its app version is back, or it was voided or created again as the app has it).
-- The arrays go in binary (placeholders ending in b): the same values, without quoting each element.
WITH written AS (
    INSERT INTO qbo_sync.entity_map (tenant_id, entity, source_id, realm_id, qbo_id, sync_token,
                                     payload_hash, doc_number)
    SELECT %(tenant_id)s::bigint, %(entity)s::text, r.source_id, %(realm_id)s::text, r.qbo_id,
           r.sync_token, r.payload_hash, r.doc_number
    FROM unnest(%(source_id)b::bigint[], %(qbo_id)b::text[], %(sync_token)b::text[],
                %(payload_hash)b::text[], %(doc_number)b::text[])
         AS r(source_id, qbo_id, sync_token, payload_hash, doc_number)
    ON CONFLICT (tenant_id, entity, source_id) DO UPDATE SET
        qbo_id = EXCLUDED.qbo_id,
        realm_id = EXCLUDED.realm_id,
        sync_token = EXCLUDED.sync_token,
        payload_hash = EXCLUDED.payload_hash,
        doc_number = EXCLUDED.doc_number,
        qbo_fingerprint = NULL,
        last_synced_at = now()
    RETURNING source_id
)
UPDATE qbo_sync.quickbooks_changes AS q
SET resolved_at = now(), resolved_how = 'sent again by the sync'
WHERE q.tenant_id = %(tenant_id)s AND q.resolved_at IS NULL
  AND q.entity = CASE %(entity)s::text WHEN 'invoice_void' THEN 'invoice' ELSE %(entity)s::text END
  AND q.source_id IN (SELECT source_id FROM written);
