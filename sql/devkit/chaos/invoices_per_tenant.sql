-- Each tenant's finalized app invoices and credit notes: the chaos run kills the sync task of
-- the tenant with most invoices among those with a credit note to post (a kill for each).
SELECT i.tenant_id, count(*) AS invoices,
       (SELECT count(*) FROM billing.credit_notes AS c
        WHERE c.tenant_id = i.tenant_id AND c.status <> 'draft') AS credit_notes
FROM billing.invoices AS i
WHERE i.origin = 'app' AND i.status = 'finalized'
GROUP BY i.tenant_id;
