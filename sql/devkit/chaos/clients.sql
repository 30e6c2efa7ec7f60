-- Chaos checks: every client with its parent (a sub-customer needs its parent in QuickBooks).
SELECT c.tenant_id, c.id, c.parent_client_id
FROM billing.clients AS c
ORDER BY c.id;
