-- The QuickBooks customer the sync last wrote each of these invoices to (NULL: not known).
SELECT source_id, customer_qbo_id
FROM qbo_sync.entity_map
WHERE tenant_id = %(tenant_id)s AND entity = 'invoice' AND source_id = ANY(%(source_ids)s::bigint[]);
