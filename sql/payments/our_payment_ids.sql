-- QuickBooks payments this sync created (app payments and credit-note applications).
SELECT qbo_id FROM qbo_sync.entity_map
WHERE tenant_id = %(tenant_id)s AND entity IN ('payment', 'credit_application');
