-- Classes and locations (issue 13, item 4): accountants split income by clinic or department
-- with QuickBooks' classes and locations (Class and Department in the API).
--
-- The billing app's own word for where an invoice belongs (a clinic, a site, a department):
-- free text, null when the app does not say. Added, not renamed: the source contract's
-- columns stay as they are (billing-source.md).
ALTER TABLE billing.invoices ADD COLUMN IF NOT EXISTS location text;

-- The tenant's QuickBooks Class and Department (location) for every invoice it sends, by Id
-- (names are checked against the company when set: python -m qbo_sync.tenants tracking).
ALTER TABLE qbo_sync.tenant_settings
    ADD COLUMN class_id text,
    ADD COLUMN department_id text;

-- An app location's own Class and/or Department (python -m qbo_sync.tenants map-location).
-- Once a tenant has one link, every invoice that names a location must have a link (else
-- it fails location_not_linked before it is sent); what a link leaves unset comes from the
-- tenant's class / location above. Matched on the trimmed, case-folded app text (key).
CREATE TABLE qbo_sync.location_links (
    tenant_id      bigint NOT NULL,
    location_key   text NOT NULL,
    app_location   text NOT NULL,
    class_id       text,
    department_id  text,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, location_key),
    CHECK (class_id IS NOT NULL OR department_id IS NOT NULL)
);
