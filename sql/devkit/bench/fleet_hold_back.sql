-- Fleet benchmark: each tenant's newest finalized invoices without credit notes (their
-- payments deleted by fleet_unpay)
-- become the "new" invoices of the measured run; until then they are dated %(held_at)s,
-- outside every window the warm-up sync covers.
WITH ranked AS (
    SELECT i.id, row_number() OVER (PARTITION BY i.tenant_id ORDER BY i.id DESC) AS n
    FROM billing.invoices AS i
    WHERE i.origin = 'app' AND i.status = 'finalized'
      AND NOT EXISTS (SELECT 1 FROM billing.credit_notes AS c WHERE c.invoice_id = i.id)
)
UPDATE billing.invoices AS i
SET updated_at = %(held_at)s
FROM ranked AS r
WHERE r.id = i.id AND r.n <= %(per_tenant)s
RETURNING i.tenant_id, i.id;
