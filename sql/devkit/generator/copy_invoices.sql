COPY billing.invoices (id, tenant_id, number, client_id, status, issue_date, due_date, tax_mode,
                       currency, subtotal, tax_total, total, notes, origin, created_at,
                       finalized_at, voided_at, updated_at, location) FROM STDIN
