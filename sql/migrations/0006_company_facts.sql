-- The QuickBooks company decides: `connect` and `authorize` read CompanyInfo and
-- Preferences and record the company's facts here (qbo_sync.companies.facts). The region
-- (which tax model the sync uses) comes from the company's country, never from a default:
-- a tenant never connected has none, and the sync refuses it until its company is read.
ALTER TABLE qbo_sync.tenant_settings
    ALTER COLUMN region DROP DEFAULT,
    ALTER COLUMN region DROP NOT NULL,
    -- CompanyInfo.CompanyName, as the company's QuickBooks screens show it.
    ADD COLUMN company_name           text,
    -- CompanyInfo.Country: 'US', 'AU', 'GB', 'CA', ...
    ADD COLUMN company_country        text,
    -- Preferences.CurrencyPrefs.HomeCurrency.value (ISO code; never changes in QuickBooks).
    ADD COLUMN home_currency          text,
    -- Preferences.CurrencyPrefs.MultiCurrencyEnabled (once on, never off again).
    ADD COLUMN multicurrency_enabled  boolean,
    -- US companies: Preferences.TaxPrefs.PartnerTaxEnabled (automated sales tax set up or
    -- not); elsewhere the company's own tax codes (GST, VAT).
    ADD COLUMN tax_model              text
        CHECK (tax_model IN ('us_automated_sales_tax', 'us_sales_tax_not_set_up', 'tax_codes')),
    ADD COLUMN company_read_at        timestamptz;
