-- A tenant's customers in a currency other than the home currency, of these clients.
SELECT c.client_id, c.currency, c.qbo_id
FROM qbo_sync.currency_customers AS c
WHERE c.tenant_id = %(tenant_id)s AND c.client_id = ANY(%(client_ids)s);
