-- Demo tests: every invoice, for recomputing its arithmetic and checking its dates.
SELECT id, tenant_id, number, client_id, status, issue_date, due_date, tax_mode, currency,
       subtotal, tax_total, total, origin, created_at, finalized_at, voided_at, updated_at
FROM billing.invoices
ORDER BY id;
