SELECT f.id, f.tenant_id, f.payment_id, f.amount, f.refunded_at, f.method, f.reference, f.reason,
       f.created_at, f.voided_at, p.invoice_id, p.amount AS payment_amount
FROM billing.refunds AS f
LEFT JOIN billing.payments AS p ON p.id = f.payment_id
ORDER BY f.id;
