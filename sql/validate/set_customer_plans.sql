-- set_customer_plan for many clients in one statement (equal-length arrays).
UPDATE qbo_sync.run_items AS r SET state = 'ready', payload = p.payload
FROM unnest(%(source_ids)s::bigint[], %(payloads)s::jsonb[]) AS p(source_id, payload)
WHERE r.run_id = %(run_id)s AND r.tenant_id = %(tenant_id)s AND r.entity = 'customer'
  AND r.source_id = p.source_id;
