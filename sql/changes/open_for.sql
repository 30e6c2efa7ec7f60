-- Open changes made in QuickBooks of records about to be sent: what the send puts back.
SELECT c.source_id, c.kind
FROM qbo_sync.quickbooks_changes AS c
WHERE c.tenant_id = %(tenant_id)s AND c.entity = %(entity)s AND c.source_id = ANY(%(source_ids)s::bigint[])
  AND c.resolved_at IS NULL;
