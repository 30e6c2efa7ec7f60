-- A cleared extract task starts its tenant's share of the run afresh.
DELETE FROM qbo_sync.run_items WHERE run_id = %(run_id)s AND tenant_id = %(tenant_id)s;
