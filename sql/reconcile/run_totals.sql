-- One run's reconciliation per tenant and entity: how many records agree, and their amount.
SELECT c.tenant_id, c.entity, count(*) FILTER (WHERE c.verdict = 'agree') AS agree,
       coalesce(sum(c.amount) FILTER (WHERE c.verdict = 'agree'), 0) AS agree_amount,
       count(*) FILTER (WHERE c.verdict <> 'agree') AS differ
FROM qbo_sync.reconciliation AS c
WHERE c.run_id = %(run_id)s
GROUP BY c.tenant_id, c.entity
ORDER BY c.tenant_id, c.entity;
