-- Only the given (non-null) item settings change; a tenant without settings gets a row.
INSERT INTO qbo_sync.tenant_settings AS s (
    tenant_id, item_policy, service_income_account_id, product_income_account_id
) VALUES (
    %(tenant_id)s, coalesce(%(item_policy)s, 'default'), %(service_income_account_id)s,
    %(product_income_account_id)s
)
ON CONFLICT (tenant_id) DO UPDATE SET
    item_policy = coalesce(%(item_policy)s, s.item_policy),
    service_income_account_id = coalesce(%(service_income_account_id)s, s.service_income_account_id),
    product_income_account_id = coalesce(%(product_income_account_id)s, s.product_income_account_id),
    updated_at = now();
