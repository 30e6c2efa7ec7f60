-- Whether a tenant's QuickBooks payments are read back this run: always while it is active;
-- once idle (nothing moved since active_at + the idle span), only every poll interval.
SELECT t.polled_at IS NULL
       OR t.active_at > now() - make_interval(secs => %(idle_after_seconds)s)
       OR t.polled_at <= now() - make_interval(secs => %(poll_seconds)s),
       t.active_at, t.polled_at + make_interval(secs => %(poll_seconds)s)
FROM qbo_sync.tenant_tracks AS t
WHERE t.tenant_id = %(tenant_id)s;
