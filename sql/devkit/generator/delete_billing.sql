-- `generate --replace`: empty the billing schema (only it: the sync's own state in
-- qbo_sync is left alone). TRUNCATE, not DELETE: a million-invoice demo empties at once.
TRUNCATE billing.tenants, billing.clients, billing.catalog_items, billing.tax_rates,
         billing.invoices, billing.invoice_lines, billing.credit_notes,
         billing.credit_note_lines, billing.payments, billing.refunds
RESTART IDENTITY;
