SELECT r.source_id, r.source_ref, r.payload, r.amount
FROM qbo_sync.run_items AS r
WHERE r.run_id = %(run_id)s AND r.tenant_id = %(tenant_id)s AND r.entity = %(entity)s
  AND r.batch_no = %(batch_no)s AND r.state IN ('ready', 'done')
ORDER BY r.source_id;
