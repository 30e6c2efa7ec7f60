-- The live payments with a reference of the clients behind some QuickBooks customers (the
-- client's customer in our map, or its customer in another currency): the payments a
-- RefundReceipt of one of those customers can give money back against, paying one of the
-- client's invoices or (no invoice) held as the client's credit. An imported payment (origin
-- 'quickbooks') names its QuickBooks payment in external_id ('<payment Id>:<invoice Id>').
WITH customers AS (
    SELECT m.qbo_id, m.source_id AS client_id FROM qbo_sync.entity_map AS m
    WHERE m.tenant_id = %(tenant_id)s AND m.entity = 'customer' AND m.qbo_id = ANY(%(customer_ids)s)
    UNION
    SELECT c.qbo_id, c.client_id FROM qbo_sync.currency_customers AS c
    WHERE c.tenant_id = %(tenant_id)s AND c.qbo_id = ANY(%(customer_ids)s)
)
SELECT cu.qbo_id, p.id, p.reference, p.origin, p.external_id
FROM customers AS cu
JOIN billing.invoices AS i ON i.tenant_id = %(tenant_id)s AND i.client_id = cu.client_id
JOIN billing.payments AS p ON p.tenant_id = i.tenant_id AND p.invoice_id = i.id
WHERE p.voided_at IS NULL AND p.reference IS NOT NULL
UNION
SELECT cu.qbo_id, p.id, p.reference, p.origin, p.external_id
FROM customers AS cu
JOIN billing.payments AS p
  ON p.tenant_id = %(tenant_id)s AND p.invoice_id IS NULL AND p.client_id = cu.client_id
WHERE p.voided_at IS NULL AND p.reference IS NOT NULL
ORDER BY 1, 2;
