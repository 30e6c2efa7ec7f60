-- One md5 per billing table over its rows in id order: two generations are identical
-- exactly when these are. Rows are rendered by Postgres, so numeric scale and
-- timestamp precision count too.
SELECT 'tenants' AS table_name, count(*) AS row_count,
       md5(coalesce(string_agg(t::text, E'\n' ORDER BY t.id), '')) AS checksum
FROM billing.tenants AS t
UNION ALL
SELECT 'tax_rates', count(*), md5(coalesce(string_agg(t::text, E'\n' ORDER BY t.id), ''))
FROM billing.tax_rates AS t
UNION ALL
SELECT 'catalog_items', count(*), md5(coalesce(string_agg(t::text, E'\n' ORDER BY t.id), ''))
FROM billing.catalog_items AS t
UNION ALL
SELECT 'clients', count(*), md5(coalesce(string_agg(t::text, E'\n' ORDER BY t.id), ''))
FROM billing.clients AS t
UNION ALL
SELECT 'invoices', count(*), md5(coalesce(string_agg(t::text, E'\n' ORDER BY t.id), ''))
FROM billing.invoices AS t
UNION ALL
SELECT 'invoice_lines', count(*), md5(coalesce(string_agg(t::text, E'\n' ORDER BY t.id), ''))
FROM billing.invoice_lines AS t
UNION ALL
SELECT 'credit_notes', count(*), md5(coalesce(string_agg(t::text, E'\n' ORDER BY t.id), ''))
FROM billing.credit_notes AS t
UNION ALL
SELECT 'credit_note_lines', count(*), md5(coalesce(string_agg(t::text, E'\n' ORDER BY t.id), ''))
FROM billing.credit_note_lines AS t
UNION ALL
SELECT 'payments', count(*), md5(coalesce(string_agg(t::text, E'\n' ORDER BY t.id), ''))
FROM billing.payments AS t
UNION ALL
SELECT 'refunds', count(*), md5(coalesce(string_agg(t::text, E'\n' ORDER BY t.id), ''))
FROM billing.refunds AS t
ORDER BY 1;
