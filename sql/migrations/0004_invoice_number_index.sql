-- Duplicate invoice numbers are found per tenant, case-insensitively (as QuickBooks
-- compares DocNumbers); without this index the check scans a tenant's invoices per chunk.
CREATE INDEX invoices_tenant_lower_number ON billing.invoices (tenant_id, lower(number));
