-- For each client: does it exist in this tenant, is it in QuickBooks, and how did this
-- run's validation or load judge it.
SELECT c.id,
       m.qbo_id,
       r.state AS run_state,
       l.cause AS run_cause
FROM billing.clients AS c
LEFT JOIN qbo_sync.entity_map AS m
       ON m.tenant_id = c.tenant_id AND m.entity = 'customer' AND m.source_id = c.id
LEFT JOIN qbo_sync.run_items AS r
       ON r.run_id = %(run_id)s AND r.tenant_id = c.tenant_id AND r.entity = 'customer'
      AND r.source_id = c.id
LEFT JOIN qbo_sync.sync_log AS l
       ON l.run_id = %(run_id)s AND l.tenant_id = c.tenant_id AND l.entity = 'customer'
      AND l.source_id = c.id
WHERE c.tenant_id = %(tenant_id)s AND c.id = ANY(%(client_ids)s);
