UPDATE qbo_sync.run_items SET state = 'ready', payload = %(payload)s::jsonb
WHERE run_id = %(run_id)s AND tenant_id = %(tenant_id)s AND entity = 'customer'
  AND source_id = %(source_id)s;
