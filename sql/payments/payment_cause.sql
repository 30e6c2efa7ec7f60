-- Why an app payment is not in QuickBooks: its latest explained outcome.
SELECT l.cause FROM qbo_sync.sync_log AS l
WHERE l.tenant_id = %(tenant_id)s AND l.entity = 'payment' AND l.source_id = %(source_id)s
ORDER BY l.id DESC LIMIT 1;
