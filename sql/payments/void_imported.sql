-- A QuickBooks payment deleted, voided, or no longer paying an invoice: its imported
-- rows are voided (kept, so the history stays), except those it still pays.
UPDATE billing.payments SET voided_at = now()
WHERE tenant_id = %(tenant_id)s AND origin = 'quickbooks' AND voided_at IS NULL
  AND external_id LIKE %(prefix)s
  AND NOT (external_id = ANY(%(keep)s))
RETURNING id, reference, amount;
