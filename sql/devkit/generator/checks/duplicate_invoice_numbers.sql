-- Finalized app invoices of one tenant sharing a number.
SELECT tenant_id, number, array_agg(id ORDER BY id) AS ids
FROM billing.invoices
WHERE status = 'finalized' AND origin = 'app' AND number IS NOT NULL
GROUP BY tenant_id, number
HAVING count(*) > 1
ORDER BY tenant_id, number;
