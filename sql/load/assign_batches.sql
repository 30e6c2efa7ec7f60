-- Number a tenant's ready records of a run into load batches of at most %(size)s per entity.
-- Customers are batched per depth so a parent never shares a batch with its sub-client
-- (QuickBooks items in one batch cannot see each other's writes).
WITH numbered AS (
    SELECT r.run_id, r.tenant_id, r.entity, r.source_id,
           CASE WHEN r.entity = 'customer' THEN r.depth * 1000000 ELSE 0 END
             + (row_number() OVER (PARTITION BY r.entity, r.depth ORDER BY r.source_id) - 1) / %(size)s
             AS batch_no
    FROM qbo_sync.run_items AS r
    WHERE r.run_id = %(run_id)s AND r.tenant_id = %(tenant_id)s AND r.state = 'ready'
)
UPDATE qbo_sync.run_items AS r
SET batch_no = n.batch_no
FROM numbered AS n
WHERE r.run_id = n.run_id AND r.tenant_id = n.tenant_id AND r.entity = n.entity
  AND r.source_id = n.source_id;
