-- One of our credit note applications about to be deleted so its invoice can move to another
-- customer (qbo_sync.load.credit_moves), marked on the credit memo's row before QuickBooks is
-- touched: the invoice and the amount applied. If the run stops before the credit is applied
-- again, the next run stages the credit note and its credit-note task applies it again, once
-- (payments/credit_resume.py). Cleared by credit_applied_again.sql.
UPDATE qbo_sync.entity_map
SET source_state = coalesce(source_state, '{}'::jsonb)
        || jsonb_build_object('moving_with_invoice',
                              jsonb_build_object('invoice_id', %(invoice_id)s::bigint,
                                                 'applied', %(applied)s::text))
WHERE tenant_id = %(tenant_id)s AND entity = 'credit_memo' AND source_id = %(source_id)s;
