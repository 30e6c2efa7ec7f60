-- Where a claimed alert went (addresses, or the webhook's scheme and host).
UPDATE qbo_sync.alerts_sent SET destination = %(destination)s, sent_at = now()
WHERE run_id = %(run_id)s AND tenant_id = %(tenant_id)s AND channel = %(channel)s;
