-- Chaos run, between runs: the app voids the first few payments of each tenant that are in
-- QuickBooks (on invoices still open), so the next run must void them there.
WITH picked AS (
    SELECT p.id, row_number() OVER (PARTITION BY p.tenant_id ORDER BY p.id) AS k
    FROM billing.payments AS p
    JOIN billing.invoices AS i ON i.id = p.invoice_id AND i.status = 'finalized'
    JOIN qbo_sync.entity_map AS m
      ON m.tenant_id = p.tenant_id AND m.entity = 'payment' AND m.source_id = p.id
    WHERE p.origin = 'app' AND p.voided_at IS NULL
)
UPDATE billing.payments AS p
SET voided_at = now()
FROM picked AS k
WHERE k.id = p.id AND k.k <= %(per_tenant)s
RETURNING p.tenant_id, p.id;
