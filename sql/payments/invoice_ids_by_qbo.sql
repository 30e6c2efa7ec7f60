SELECT m.qbo_id, m.source_id, i.client_id, i.number
FROM qbo_sync.entity_map AS m
JOIN billing.invoices AS i ON i.id = m.source_id
WHERE m.tenant_id = %(tenant_id)s AND m.entity = 'invoice' AND m.qbo_id = ANY(%(qbo_ids)s);
