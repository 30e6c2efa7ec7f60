-- Finalized app invoices of a tenant dated on or before a day (a closed books date).
SELECT id FROM billing.invoices
WHERE tenant_id = %(tenant_id)s AND status = 'finalized' AND origin = 'app'
  AND issue_date <= %(day)s
ORDER BY id;
