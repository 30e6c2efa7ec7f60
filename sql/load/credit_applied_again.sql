-- A credit note's credit applied again after its invoice moved (or put back where it was):
-- credit_moving.sql's mark removed.
UPDATE qbo_sync.entity_map
SET source_state = source_state - 'moving_with_invoice'
WHERE tenant_id = %(tenant_id)s AND entity = 'credit_memo' AND source_id = %(source_id)s;
