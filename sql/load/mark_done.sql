UPDATE qbo_sync.run_items SET state = 'done'
WHERE run_id = %(run_id)s AND tenant_id = %(tenant_id)s AND entity = %(entity)s
  AND source_id = ANY(%(source_ids)b::bigint[]);
