-- Who holds a tenant's track, when the claim was refused.
SELECT t.run_id, t.state, t.run_clear, t.stage, t.heartbeat_at
FROM qbo_sync.tenant_tracks AS t WHERE t.tenant_id = %(tenant_id)s;
