COPY billing.tax_rates (id, tenant_id, name, rate, active) FROM STDIN
