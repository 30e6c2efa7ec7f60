SELECT id, tenant_id, invoice_id, amount, paid_at, method, reference, origin, created_at, voided_at
FROM billing.payments
ORDER BY id;
