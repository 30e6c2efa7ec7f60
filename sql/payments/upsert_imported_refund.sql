-- One billing.refunds row per QuickBooks RefundReceipt read back (origin 'quickbooks',
-- external_id its Id); re-reading the same receipt updates it in place (the unique index on
-- tenant_id, external_id makes this idempotent). Unchanged rows are not touched and return
-- nothing: a second sighting, a re-run or a replay is a no-op.
INSERT INTO billing.refunds (tenant_id, payment_id, amount, refunded_at, method, reference, reason,
                             origin, external_id, voided_at)
VALUES (%(tenant_id)s, %(payment_id)s, %(amount)s, %(refunded_at)s, %(method)s, %(reference)s,
        %(reason)s, 'quickbooks', %(external_id)s, NULL)
ON CONFLICT (tenant_id, external_id) WHERE external_id IS NOT NULL DO UPDATE SET
    payment_id = EXCLUDED.payment_id, amount = EXCLUDED.amount, refunded_at = EXCLUDED.refunded_at,
    method = EXCLUDED.method, reference = EXCLUDED.reference, reason = EXCLUDED.reason, voided_at = NULL
WHERE (billing.refunds.payment_id, billing.refunds.amount, billing.refunds.refunded_at,
       billing.refunds.method, billing.refunds.reference, billing.refunds.reason, billing.refunds.voided_at)
      IS DISTINCT FROM (EXCLUDED.payment_id, EXCLUDED.amount, EXCLUDED.refunded_at, EXCLUDED.method,
                        EXCLUDED.reference, EXCLUDED.reason, NULL::timestamptz)
RETURNING id, (xmax = 0) AS inserted;
