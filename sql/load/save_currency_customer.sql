INSERT INTO qbo_sync.currency_customers (tenant_id, client_id, currency, realm_id, qbo_id, display_name)
VALUES (%(tenant_id)s, %(client_id)s, %(currency)s, %(realm_id)s, %(qbo_id)s, %(display_name)s)
ON CONFLICT (tenant_id, client_id, currency) DO UPDATE SET
    realm_id = EXCLUDED.realm_id, qbo_id = EXCLUDED.qbo_id, display_name = EXCLUDED.display_name;
