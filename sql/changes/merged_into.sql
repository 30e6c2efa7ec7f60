-- The QuickBooks customer a merged-away customer's transactions went to, as its screens name it.
UPDATE qbo_sync.quickbooks_changes
SET merged_into = %(merged_into)s
WHERE tenant_id = %(tenant_id)s AND entity = 'customer' AND source_id = %(source_id)s
  AND resolved_at IS NULL;
