-- An app payment unlinked from its invoice so the invoice can move to another customer
-- (qbo_sync.load.moves). Its recorded state no longer equals the app's, so if the sync stops
-- before linking it again, the next run stages the payment and links it to its invoice
-- (payments/edits.py) with the invoice's customer. Cleared by payment_moved.sql.
UPDATE qbo_sync.entity_map
SET source_state = source_state || jsonb_build_object('moving_with_invoice', %(invoice_id)s::bigint),
    sync_token = %(sync_token)s
WHERE tenant_id = %(tenant_id)s AND entity = 'payment' AND source_id = %(source_id)s;
