-- The tenant's policy for changes made in QuickBooks: 'flag' or 'app_wins'.
SELECT s.quickbooks_change_policy FROM qbo_sync.tenant_settings AS s WHERE s.tenant_id = %(tenant_id)s;
