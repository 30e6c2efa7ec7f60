-- The version of one of our records QuickBooks holds now: its SyncToken (what the sync sends
-- next goes with it), and, when it agrees with the app, its fingerprint. keep_hash false
-- clears the hash of what we sent, so the next send of the record is an update, not a skip.
UPDATE qbo_sync.entity_map
SET sync_token = coalesce(%(sync_token)s, sync_token),
    qbo_fingerprint = coalesce(%(fingerprint)s, qbo_fingerprint),
    payload_hash = CASE WHEN %(keep_hash)s THEN payload_hash END
WHERE tenant_id = %(tenant_id)s AND entity = %(entity)s AND source_id = %(source_id)s;
