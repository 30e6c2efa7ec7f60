-- A record's open change made in QuickBooks has ended (how: in plain words).
UPDATE qbo_sync.quickbooks_changes
SET resolved_at = now(), resolved_how = %(how)s
WHERE tenant_id = %(tenant_id)s AND entity = %(entity)s AND source_id = %(source_id)s
  AND resolved_at IS NULL;
