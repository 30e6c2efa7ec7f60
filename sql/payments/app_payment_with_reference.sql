-- An app payment already recording this money: same invoice and reference.
SELECT p.id FROM billing.payments AS p
WHERE p.tenant_id = %(tenant_id)s AND p.invoice_id = %(invoice_id)s AND p.origin = 'app'
  AND p.voided_at IS NULL AND p.reference IS NOT NULL AND p.reference = %(reference)s
LIMIT 1;
