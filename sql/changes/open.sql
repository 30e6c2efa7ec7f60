-- The tenant's open changes made in QuickBooks, one per record.
SELECT c.entity, c.source_id, c.kind, c.detail
FROM qbo_sync.quickbooks_changes AS c
WHERE c.tenant_id = %(tenant_id)s AND c.resolved_at IS NULL;
