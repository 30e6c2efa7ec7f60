-- A tenant's records staged in a run that have no outcome in it yet: what a systemic fault
-- (QuickBooks down beyond the client's retries) left undone, to be explained.
SELECT r.entity, r.source_id, r.source_ref, r.amount
FROM qbo_sync.run_items AS r
WHERE r.run_id = %(run_id)s AND r.tenant_id = %(tenant_id)s AND r.state IN ('extracted', 'ready')
  AND NOT EXISTS (SELECT 1 FROM qbo_sync.sync_log AS l
                  WHERE l.run_id = r.run_id AND l.tenant_id = r.tenant_id
                    AND l.entity = r.entity AND l.source_id = r.source_id)
ORDER BY r.entity, r.source_id;
