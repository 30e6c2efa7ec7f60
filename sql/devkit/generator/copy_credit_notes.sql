COPY billing.credit_notes (id, tenant_id, number, invoice_id, client_id, issue_date, status, reason,
                           total, created_at, finalized_at, updated_at) FROM STDIN
