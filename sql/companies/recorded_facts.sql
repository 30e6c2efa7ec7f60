-- What the tenant's settings say about its company, to compare with the company itself.
SELECT s.region, s.company_name, s.company_country, s.home_currency, s.multicurrency_enabled,
       s.tax_model, s.no_tax_code_id
FROM qbo_sync.tenant_settings AS s
WHERE s.tenant_id = %(tenant_id)s;
