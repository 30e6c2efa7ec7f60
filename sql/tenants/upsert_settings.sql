-- Only the given (non-null) settings change; the rest keep their value or default.
-- The region is not a setting: it comes from the company (companies/record_facts.sql).
INSERT INTO qbo_sync.tenant_settings AS s (
    tenant_id, default_service_item_id, default_product_item_id, deposit_account_id, no_tax_code_id,
    display_name_template, name_clash_policy, payment_ref_policy, sync_enabled,
    invalid_email_policy, quickbooks_change_policy, currency_name_template, refund_bank_account_id
) VALUES (
    %(tenant_id)s, %(default_service_item_id)s,
    %(default_product_item_id)s, %(deposit_account_id)s, %(no_tax_code_id)s,
    coalesce(%(display_name_template)s, '{name} ({tag})'), coalesce(%(name_clash_policy)s, 'fail'),
    coalesce(%(payment_ref_policy)s, 'fail'), coalesce(%(sync_enabled)s, true),
    coalesce(%(invalid_email_policy)s, 'omit'), coalesce(%(quickbooks_change_policy)s, 'flag'),
    coalesce(%(currency_name_template)s, '{display_name} ({currency})'), %(refund_bank_account_id)s
)
ON CONFLICT (tenant_id) DO UPDATE SET
    default_service_item_id = coalesce(%(default_service_item_id)s, s.default_service_item_id),
    default_product_item_id = coalesce(%(default_product_item_id)s, s.default_product_item_id),
    deposit_account_id = coalesce(%(deposit_account_id)s, s.deposit_account_id),
    no_tax_code_id = coalesce(%(no_tax_code_id)s, s.no_tax_code_id),
    display_name_template = coalesce(%(display_name_template)s, s.display_name_template),
    name_clash_policy = coalesce(%(name_clash_policy)s, s.name_clash_policy),
    payment_ref_policy = coalesce(%(payment_ref_policy)s, s.payment_ref_policy),
    sync_enabled = coalesce(%(sync_enabled)s, s.sync_enabled),
    invalid_email_policy = coalesce(%(invalid_email_policy)s, s.invalid_email_policy),
    quickbooks_change_policy = coalesce(%(quickbooks_change_policy)s, s.quickbooks_change_policy),
    currency_name_template = coalesce(%(currency_name_template)s, s.currency_name_template),
    refund_bank_account_id = coalesce(%(refund_bank_account_id)s, s.refund_bank_account_id),
    updated_at = now();
