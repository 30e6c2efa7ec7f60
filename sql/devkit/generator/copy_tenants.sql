COPY billing.tenants (id, name, currency, timezone, created_at) FROM STDIN
