-- Outcomes of one run, per tenant, entity and status, with the amounts involved.
SELECT l.tenant_id, l.entity, l.status, count(*) AS records, coalesce(sum(l.amount), 0) AS amount
FROM qbo_sync.sync_log AS l
WHERE l.run_id = %(run_id)s
GROUP BY l.tenant_id, l.entity, l.status
ORDER BY l.tenant_id, l.entity, l.status;
