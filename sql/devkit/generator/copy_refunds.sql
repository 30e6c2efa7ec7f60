COPY billing.refunds (id, tenant_id, payment_id, amount, refunded_at, method, reference, reason,
                      created_at, voided_at) FROM STDIN
