-- A credit memo moved with its invoice to another customer (qbo_sync.load.credit_moves): the
-- version the sync wrote (NULL: unchanged); once the invoice went, the fingerprint of what
-- QuickBooks held before (under the old customer) is forgotten (changes/fingerprint.py: the
-- app's version is the reference again, so the sync's own move is not taken for an edit).
UPDATE qbo_sync.entity_map
SET sync_token = coalesce(%(sync_token)s, sync_token),
    qbo_fingerprint = CASE WHEN %(moved)s THEN NULL ELSE qbo_fingerprint END,
    last_synced_at = now()
WHERE tenant_id = %(tenant_id)s AND entity = 'credit_memo' AND source_id = %(source_id)s;
