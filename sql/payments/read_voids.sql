SELECT i.id, i.number, i.total, m.qbo_id
FROM qbo_sync.run_items AS r
JOIN billing.invoices AS i ON i.id = r.source_id
JOIN qbo_sync.entity_map AS m ON m.tenant_id = i.tenant_id AND m.entity = 'invoice' AND m.source_id = i.id
WHERE r.run_id = %(run_id)s AND r.tenant_id = %(tenant_id)s AND r.entity = 'invoice_void'
  AND r.state = 'extracted'
ORDER BY i.id;
