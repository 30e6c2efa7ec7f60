COPY billing.payments (id, tenant_id, invoice_id, amount, paid_at, method, reference, origin,
                       external_id, created_at, voided_at) FROM STDIN
