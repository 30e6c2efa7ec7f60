-- One run's reconciliation per tenant, entity and currency: how many records agree, and their
-- amount (never summed across currencies: an invoice in EUR is not added to a GBP total).
SELECT c.tenant_id, c.entity, c.currency, count(*) FILTER (WHERE c.verdict = 'agree') AS agree,
       coalesce(sum(c.amount) FILTER (WHERE c.verdict = 'agree'), 0) AS agree_amount,
       count(*) FILTER (WHERE c.verdict <> 'agree') AS differ
FROM qbo_sync.reconciliation AS c
WHERE c.run_id = %(run_id)s
GROUP BY c.tenant_id, c.entity, c.currency
ORDER BY c.tenant_id, c.entity, agree DESC, c.currency;
