-- The app payment as the sync just wrote it to QuickBooks (qbo_sync.payment_state, migration
-- 0014): a later edit in the app differs from it and is sent as an update.
UPDATE qbo_sync.entity_map
SET source_state = qbo_sync.payment_state(%(amount)s, %(paid_at)s, %(reference)s, %(invoice_id)s)
WHERE tenant_id = %(tenant_id)s AND entity = 'payment' AND source_id = %(source_id)s;
