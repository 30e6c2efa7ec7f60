-- How many finalized app invoices each tenant has: the chaos run kills the task of the biggest.
SELECT i.tenant_id, count(*) FROM billing.invoices AS i
WHERE i.origin = 'app' AND i.status = 'finalized'
GROUP BY i.tenant_id;
