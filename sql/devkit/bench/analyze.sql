-- Benchmarks: planner statistics after a bulk load, as a live database would have them
-- (autovacuum would ANALYZE these tables within a minute or so).
ANALYZE billing.tenants, billing.clients, billing.invoices, billing.invoice_lines, billing.tax_rates;
