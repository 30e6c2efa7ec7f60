SELECT i.id, i.tenant_id, i.number, i.client_id, i.status, i.issue_date, i.due_date,
       i.tax_mode, i.currency, i.subtotal, i.tax_total, i.total, i.notes, i.finalized_at
FROM billing.invoices AS i
WHERE i.id = ANY(%(ids)s)
ORDER BY i.id;
