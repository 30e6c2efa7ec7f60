-- The QuickBooks customer each invoice was just written to (migration 0023): a later update to
-- another customer is a move (qbo_sync.load.moves).
UPDATE qbo_sync.entity_map AS m
SET customer_qbo_id = r.customer_qbo_id
FROM unnest(%(source_id)s::bigint[], %(customer_qbo_id)s::text[]) AS r(source_id, customer_qbo_id)
WHERE m.tenant_id = %(tenant_id)s AND m.entity = 'invoice' AND m.source_id = r.source_id;
