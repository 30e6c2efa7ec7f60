-- Whether any billing table holds a row: the generator writes explicit ids from 1 and
-- refuses to mix its data with someone else's.
SELECT EXISTS (SELECT 1 FROM billing.tenants)
    OR EXISTS (SELECT 1 FROM billing.clients)
    OR EXISTS (SELECT 1 FROM billing.catalog_items)
    OR EXISTS (SELECT 1 FROM billing.tax_rates)
    OR EXISTS (SELECT 1 FROM billing.invoices)
    OR EXISTS (SELECT 1 FROM billing.invoice_lines)
    OR EXISTS (SELECT 1 FROM billing.credit_notes)
    OR EXISTS (SELECT 1 FROM billing.credit_note_lines)
    OR EXISTS (SELECT 1 FROM billing.payments)
    OR EXISTS (SELECT 1 FROM billing.refunds) AS has_rows;
