-- Backfill benchmark: what the billing app holds per tenant before the run (finalized app
-- invoices, clients and sub-clients, app payments not voided, finalized credit notes).
SELECT t.id,
    (SELECT count(*) FROM billing.invoices AS i WHERE i.tenant_id = t.id AND i.origin = 'app' AND i.status = 'finalized'),
    (SELECT count(*) FROM billing.clients AS c WHERE c.tenant_id = t.id AND c.parent_client_id IS NULL),
    (SELECT count(*) FROM billing.clients AS c WHERE c.tenant_id = t.id AND c.parent_client_id IS NOT NULL),
    (SELECT count(*) FROM billing.payments AS p WHERE p.tenant_id = t.id AND p.origin = 'app' AND p.voided_at IS NULL),
    (SELECT count(*) FROM billing.credit_notes AS n WHERE n.tenant_id = t.id AND n.status = 'finalized')
FROM billing.tenants AS t
ORDER BY t.id;
