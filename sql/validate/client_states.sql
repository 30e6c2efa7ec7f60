-- For each client: does it exist in this tenant, is it in QuickBooks, how did this run's
-- validation or load judge it, and its customer's open change made in QuickBooks (made
-- inactive, merged away: learned by change data capture, no read of its own).
SELECT c.id,
       m.qbo_id,
       r.state AS run_state,
       l.cause AS run_cause,
       q.kind AS qbo_change,
       coalesce(q.qbo_name, concat_ws(' ', c.first_name, c.last_name)) AS qbo_name,
       q.merged_into,
       q.changed_at
FROM billing.clients AS c
LEFT JOIN qbo_sync.entity_map AS m
       ON m.tenant_id = c.tenant_id AND m.entity = 'customer' AND m.source_id = c.id
LEFT JOIN qbo_sync.run_items AS r
       ON r.run_id = %(run_id)s AND r.tenant_id = c.tenant_id AND r.entity = 'customer'
      AND r.source_id = c.id
LEFT JOIN qbo_sync.sync_log AS l
       ON l.run_id = %(run_id)s AND l.tenant_id = c.tenant_id AND l.entity = 'customer'
      AND l.source_id = c.id
LEFT JOIN qbo_sync.quickbooks_changes AS q
       ON q.tenant_id = c.tenant_id AND q.entity = 'customer' AND q.source_id = c.id
      AND q.resolved_at IS NULL AND q.kind IN ('inactive', 'merged')
WHERE c.tenant_id = %(tenant_id)s AND c.id = ANY(%(client_ids)s);
