-- For each given invoice, the other finalized app invoices of the tenant with the same
-- number (case-insensitive, as QuickBooks compares DocNumbers).
SELECT i.id, array_agg(o.id ORDER BY o.id) AS others
FROM billing.invoices AS i
JOIN billing.invoices AS o
  ON o.tenant_id = i.tenant_id AND lower(o.number) = lower(i.number) AND o.id <> i.id
 AND o.status IN ('finalized', 'voided') AND o.origin = 'app'
WHERE i.id = ANY(%(invoice_ids)s) AND i.number IS NOT NULL
GROUP BY i.id;
