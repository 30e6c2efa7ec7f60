-- Demo tests: the next id each billing identity would hand out, next to the largest id.
SELECT 'invoices' AS table_name,
       (SELECT max(id) FROM billing.invoices) AS max_id,
       nextval(pg_get_serial_sequence('billing.invoices', 'id')) AS next_id
UNION ALL
SELECT 'invoice_lines', (SELECT max(id) FROM billing.invoice_lines),
       nextval(pg_get_serial_sequence('billing.invoice_lines', 'id'))
UNION ALL
SELECT 'clients', (SELECT max(id) FROM billing.clients),
       nextval(pg_get_serial_sequence('billing.clients', 'id'))
UNION ALL
SELECT 'payments', (SELECT max(id) FROM billing.payments),
       nextval(pg_get_serial_sequence('billing.payments', 'id'))
UNION ALL
SELECT 'credit_notes', (SELECT max(id) FROM billing.credit_notes),
       nextval(pg_get_serial_sequence('billing.credit_notes', 'id'))
UNION ALL
SELECT 'credit_note_lines', (SELECT max(id) FROM billing.credit_note_lines),
       nextval(pg_get_serial_sequence('billing.credit_note_lines', 'id'))
UNION ALL
SELECT 'tax_rates', (SELECT max(id) FROM billing.tax_rates),
       nextval(pg_get_serial_sequence('billing.tax_rates', 'id'))
UNION ALL
SELECT 'catalog_items', (SELECT max(id) FROM billing.catalog_items),
       nextval(pg_get_serial_sequence('billing.catalog_items', 'id'))
UNION ALL
SELECT 'tenants', (SELECT max(id) FROM billing.tenants),
       nextval(pg_get_serial_sequence('billing.tenants', 'id'));
