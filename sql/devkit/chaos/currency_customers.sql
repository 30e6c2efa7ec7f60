-- Chaos checks: the customers the sync made for clients billed in another currency (one per
-- client and currency, qbo_sync.currency_customers): records of ours like the mapped ones.
SELECT c.tenant_id, c.qbo_id
FROM qbo_sync.currency_customers AS c;
