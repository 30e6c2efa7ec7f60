-- The load plan of a run: one row per tenant, entity and batch, with the tenant's company.
SELECT r.tenant_id, c.realm_id, r.entity, r.batch_no, min(r.depth) AS depth, count(*) AS records,
       min(r.source_ref) AS first_ref, max(r.source_ref) AS last_ref
FROM qbo_sync.run_items AS r
JOIN qbo_sync.tenant_connections AS c ON c.tenant_id = r.tenant_id
WHERE r.run_id = %(run_id)s AND r.state = 'ready'
GROUP BY r.tenant_id, c.realm_id, r.entity, r.batch_no
ORDER BY r.entity, r.tenant_id, r.batch_no;
