-- A tenant's load plan in a run, in the order it loads: customers (parents before
-- sub-customers, depth by depth), then invoices; each batch with its size and first/last number.
SELECT r.entity, r.batch_no, min(r.depth) AS depth, count(*) AS records,
       min(r.source_ref) AS first_ref, max(r.source_ref) AS last_ref
FROM qbo_sync.run_items AS r
WHERE r.run_id = %(run_id)s AND r.tenant_id = %(tenant_id)s AND r.state = 'ready'
GROUP BY r.entity, r.batch_no
ORDER BY r.entity = 'invoice', min(r.depth), r.batch_no;
