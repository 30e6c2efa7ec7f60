-- What the tenant's QuickBooks company says about itself (CompanyInfo, Preferences),
-- recorded by connect/authorize/facts. The region follows the company's country.
INSERT INTO qbo_sync.tenant_settings AS s (
    tenant_id, region, company_name, company_country, home_currency, multicurrency_enabled,
    tax_model, company_read_at
) VALUES (
    %(tenant_id)s, %(region)s, %(company_name)s, %(company_country)s, %(home_currency)s,
    %(multicurrency_enabled)s, %(tax_model)s, now()
)
ON CONFLICT (tenant_id) DO UPDATE SET
    region = EXCLUDED.region,
    company_name = EXCLUDED.company_name,
    company_country = EXCLUDED.company_country,
    home_currency = EXCLUDED.home_currency,
    multicurrency_enabled = EXCLUDED.multicurrency_enabled,
    tax_model = EXCLUDED.tax_model,
    company_read_at = EXCLUDED.company_read_at,
    updated_at = now();
