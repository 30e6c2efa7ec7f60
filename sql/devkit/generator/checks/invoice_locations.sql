-- Demo tests: the invoices that name an app location (billing.invoices.location), with it.
SELECT id, tenant_id, location
FROM billing.invoices
WHERE location IS NOT NULL
ORDER BY id;
