-- Backfill benchmark (sampled while the run goes): the stage each tenant's track is in, and
-- its heartbeat (set when the stage began, refreshed while it lasts).
SELECT tenant_id, run_id, stage, heartbeat_at FROM qbo_sync.tenant_tracks ORDER BY tenant_id;
