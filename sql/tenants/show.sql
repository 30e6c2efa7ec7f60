SELECT t.id, t.name, s.region, s.default_service_item_id, s.default_product_item_id,
       s.deposit_account_id, s.no_tax_code_id, s.display_name_template, s.name_clash_policy,
       s.payment_ref_policy, s.sync_enabled, c.realm_id, c.status, c.status_reason,
       s.company_name, s.company_country, s.home_currency, s.multicurrency_enabled, s.tax_model,
       c.connected_at AS sync_from, s.quickbooks_change_policy,
       s.currency_name_template, s.refund_bank_account_id
FROM billing.tenants AS t
LEFT JOIN qbo_sync.tenant_settings AS s ON s.tenant_id = t.id
LEFT JOIN qbo_sync.tenant_connections AS c ON c.tenant_id = t.id
WHERE %(tenant_id)s::bigint IS NULL OR t.id = %(tenant_id)s
ORDER BY t.id;
