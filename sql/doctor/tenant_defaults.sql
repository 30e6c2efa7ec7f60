-- The QuickBooks Ids a tenant's settings point at (items, deposit account, no-tax code).
SELECT s.default_service_item_id, s.default_product_item_id, s.deposit_account_id, s.no_tax_code_id
FROM qbo_sync.tenant_settings AS s
WHERE s.tenant_id = %(tenant_id)s;
