SELECT count(*) FROM qbo_sync.run_items
WHERE run_id = %(run_id)s AND tenant_id = %(tenant_id)s AND entity IN ('customer', 'invoice')
  AND state = 'extracted';
