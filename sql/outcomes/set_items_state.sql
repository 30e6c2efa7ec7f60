-- One state for many staged records of a run (set_item_state for a whole chunk).
UPDATE qbo_sync.run_items SET state = %(state)s
WHERE run_id = %(run_id)s AND tenant_id = %(tenant_id)s AND entity = %(entity)s
  AND source_id = ANY(%(source_ids)b::bigint[]);
