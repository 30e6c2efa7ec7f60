INSERT INTO qbo_sync.invoice_currencies AS c
    (tenant_id, invoice_id, currency, exchange_rate, rate_source, customer_qbo_id)
VALUES (%(tenant_id)s, %(invoice_id)s, %(currency)s, %(exchange_rate)s, %(rate_source)s, %(customer_qbo_id)s)
ON CONFLICT (tenant_id, invoice_id) DO UPDATE SET
    currency = EXCLUDED.currency, exchange_rate = EXCLUDED.exchange_rate,
    rate_source = EXCLUDED.rate_source, customer_qbo_id = EXCLUDED.customer_qbo_id, updated_at = now();
