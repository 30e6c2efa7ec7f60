-- A RefundReceipt deleted in QuickBooks (or edited there so that it names no payment the app
-- knows): the refund read back from it is voided (kept, so the history stays).
UPDATE billing.refunds SET voided_at = now()
WHERE tenant_id = %(tenant_id)s AND origin = 'quickbooks' AND external_id = %(external_id)s
  AND voided_at IS NULL
RETURNING id, reference, amount;
