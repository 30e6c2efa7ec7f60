SELECT s.item_policy, s.service_income_account_id, s.product_income_account_id
FROM qbo_sync.tenant_settings AS s
WHERE s.tenant_id = %(tenant_id)s;
