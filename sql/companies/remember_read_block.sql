-- QuickBooks blocked the app's metered reads: remember it until the first instant of the next
-- calendar month, UTC (Intuit: "blocked until the following month").
INSERT INTO qbo_sync.read_blocks AS b (tenant_id, realm_id, blocked_at, blocked_until, detail)
VALUES (%(tenant_id)s, %(realm_id)s, now(),
        (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC',
        %(detail)s)
ON CONFLICT (tenant_id) DO UPDATE
   SET realm_id = EXCLUDED.realm_id, blocked_at = EXCLUDED.blocked_at,
       blocked_until = EXCLUDED.blocked_until, detail = EXCLUDED.detail
RETURNING tenant_id, realm_id, blocked_at, blocked_until, detail;
