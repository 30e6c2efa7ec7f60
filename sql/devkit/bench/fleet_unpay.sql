-- Fleet benchmark: each tenant's newest finalized invoices (those the run will bring as new,
-- and one more that the warm-up syncs and QuickBooks is then paid on) lose their app payments.
WITH ranked AS (
    SELECT i.id, row_number() OVER (PARTITION BY i.tenant_id ORDER BY i.id DESC) AS n
    FROM billing.invoices AS i
    WHERE i.origin = 'app' AND i.status = 'finalized'
      AND NOT EXISTS (SELECT 1 FROM billing.credit_notes AS c WHERE c.invoice_id = i.id)
)
DELETE FROM billing.payments AS p
USING ranked AS r
WHERE p.invoice_id = r.id AND r.n <= %(per_tenant)s + 1 AND p.origin = 'app';
