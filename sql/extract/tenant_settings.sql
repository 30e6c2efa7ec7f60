SELECT s.region, s.default_service_item_id, s.default_product_item_id, s.deposit_account_id, s.no_tax_code_id,
       s.display_name_template, s.name_clash_policy, s.payment_ref_policy, s.invalid_email_policy,
       s.currency_name_template, s.refund_bank_account_id
FROM qbo_sync.tenant_settings AS s
WHERE s.tenant_id = %(tenant_id)s;
