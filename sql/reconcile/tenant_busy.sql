-- Whether a sync run is working on the tenant right now (its lease is held and alive): a full
-- reconciliation then would compare records half-way through being sent.
SELECT t.run_id
FROM qbo_sync.tenant_tracks AS t
WHERE t.tenant_id = %(tenant_id)s AND t.state = 'running'
  AND t.heartbeat_at > now() - make_interval(mins => %(lease_minutes)s);
