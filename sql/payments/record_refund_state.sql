-- The app refund as the sync just wrote it to QuickBooks: a later edit in the app differs from
-- it and is sent as an update (the same expression as extract/stage_refunds.sql). entity:
-- 'refund' (its RefundReceipt) or 'refund_check' (its cheque).
UPDATE qbo_sync.entity_map
SET source_state = jsonb_build_object(
        'amount', %(amount)s::numeric, 'refunded_at', extract(epoch FROM %(refunded_at)s::timestamptz),
        'reference', %(reference)s::text, 'payment_id', %(payment_id)s::bigint)
WHERE tenant_id = %(tenant_id)s AND entity = %(entity)s AND source_id = %(source_id)s;
