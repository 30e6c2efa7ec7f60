-- The currency and rate a ready foreign-currency invoice goes with (equal-length arrays).
UPDATE qbo_sync.run_items AS r SET payload = p.payload
FROM unnest(%(source_ids)s::bigint[], %(payloads)s::jsonb[]) AS p(source_id, payload)
WHERE r.run_id = %(run_id)s AND r.tenant_id = %(tenant_id)s AND r.entity = 'invoice'
  AND r.source_id = p.source_id;
