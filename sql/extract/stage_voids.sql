-- Invoices voided in the app that are in QuickBooks and not yet voided there. An invoice
-- voided before it ever synced is not staged: it must leave no trace in QuickBooks.
INSERT INTO qbo_sync.run_items (run_id, tenant_id, entity, source_id, source_ref, reason, amount)
SELECT %(run_id)s, i.tenant_id, 'invoice_void', i.id, i.number,
       CASE WHEN %(full_sync)s THEN 'full' ELSE 'changed' END, i.total
FROM billing.invoices AS i
JOIN qbo_sync.entity_map AS m
  ON m.tenant_id = i.tenant_id AND m.entity = 'invoice' AND m.source_id = i.id
LEFT JOIN qbo_sync.entity_map AS v
       ON v.tenant_id = i.tenant_id AND v.entity = 'invoice_void' AND v.source_id = i.id
LEFT JOIN qbo_sync.record_controls AS rc
       ON rc.tenant_id = i.tenant_id AND rc.entity = 'invoice_void' AND rc.source_id = i.id
WHERE i.tenant_id = %(tenant_id)s
  AND i.status = 'voided'
  AND i.origin = 'app'
  AND v.source_id IS NULL
  AND NOT coalesce(rc.excluded, false)
ON CONFLICT DO NOTHING;
