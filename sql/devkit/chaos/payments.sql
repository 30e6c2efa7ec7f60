-- Chaos checks: every payment (app and imported from QuickBooks).
SELECT p.tenant_id, p.id, p.invoice_id, p.amount, p.reference, p.origin, p.external_id,
       p.voided_at IS NOT NULL AS voided
FROM billing.payments AS p
ORDER BY p.id;
