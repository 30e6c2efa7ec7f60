-- A record deleted (or a customer merged away) in QuickBooks leaves our map, with the void we
-- may have sent for it: only a resync by finance creates it again (its open change holds it).
DELETE FROM qbo_sync.entity_map
WHERE tenant_id = %(tenant_id)s AND source_id = %(source_id)s
  AND entity = ANY(CASE %(entity)s WHEN 'invoice' THEN ARRAY['invoice', 'invoice_void']
                                   ELSE ARRAY[%(entity)s::text] END);
