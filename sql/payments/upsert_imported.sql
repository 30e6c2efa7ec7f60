-- One billing.payments row per QuickBooks payment and invoice; re-reading the same change
-- updates it in place (the unique index on tenant_id, external_id makes this idempotent).
INSERT INTO billing.payments (tenant_id, invoice_id, amount, paid_at, method, reference, origin,
                              external_id, voided_at)
VALUES (%(tenant_id)s, %(invoice_id)s, %(amount)s, %(paid_at)s, %(method)s, %(reference)s,
        'quickbooks', %(external_id)s, NULL)
ON CONFLICT (tenant_id, external_id) WHERE external_id IS NOT NULL DO UPDATE SET
    invoice_id = EXCLUDED.invoice_id, amount = EXCLUDED.amount, paid_at = EXCLUDED.paid_at,
    method = EXCLUDED.method, reference = EXCLUDED.reference, voided_at = NULL
-- Unchanged rows are not touched (and return nothing): re-reading a change is a no-op.
WHERE (billing.payments.invoice_id, billing.payments.amount, billing.payments.paid_at,
       billing.payments.method, billing.payments.reference, billing.payments.voided_at)
      IS DISTINCT FROM (EXCLUDED.invoice_id, EXCLUDED.amount, EXCLUDED.paid_at,
                        EXCLUDED.method, EXCLUDED.reference, NULL::timestamptz)
RETURNING id, (xmax = 0) AS inserted;
