-- One chunk of a tenant's staged invoices (keyset paging on id keeps memory flat).
SELECT i.id, i.tenant_id, i.number, i.client_id, i.status, i.issue_date, i.due_date,
       i.tax_mode, i.currency, i.subtotal, i.tax_total, i.total, i.notes,
       i.finalized_at
FROM qbo_sync.run_items AS r
JOIN billing.invoices AS i ON i.id = r.source_id
WHERE r.run_id = %(run_id)s AND r.tenant_id = %(tenant_id)s AND r.entity = 'invoice'
  AND r.state = 'extracted'
  AND i.id > %(after_id)s
ORDER BY i.id
LIMIT %(limit)s;
