-- An app payment linked to its invoice again (moved with it, or put back): its version, and
-- its recorded state back to what the app says (payment_moving.sql's mark removed).
UPDATE qbo_sync.entity_map
SET source_state = source_state - 'moving_with_invoice',
    sync_token = %(sync_token)s,
    last_synced_at = now()
WHERE tenant_id = %(tenant_id)s AND entity = 'payment' AND source_id = %(source_id)s;
