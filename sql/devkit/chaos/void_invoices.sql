-- Chaos run, between runs: the app voids the last few invoices of each tenant that are in
-- QuickBooks, so the next run must void them there exactly once. %(keep)s: invoices the
-- demo's hand-keyed QuickBooks payments need open.
WITH picked AS (
    SELECT i.id, row_number() OVER (PARTITION BY i.tenant_id ORDER BY i.id DESC) AS k
    FROM billing.invoices AS i
    JOIN qbo_sync.entity_map AS m
      ON m.tenant_id = i.tenant_id AND m.entity = 'invoice' AND m.source_id = i.id
    WHERE i.status = 'finalized' AND i.origin = 'app' AND NOT (i.id = ANY(%(keep)s))
)
UPDATE billing.invoices AS i
SET status = 'voided', voided_at = now(), updated_at = now()
FROM picked AS p
WHERE p.id = i.id AND p.k <= %(per_tenant)s
RETURNING i.tenant_id, i.id;
