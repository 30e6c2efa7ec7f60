-- Chaos checks: every app invoice that was ever finalized, with what QuickBooks must show.
SELECT i.tenant_id, i.id, i.number, i.client_id, i.total, i.status
FROM billing.invoices AS i
WHERE i.origin = 'app' AND i.finalized_at IS NOT NULL
ORDER BY i.id;
