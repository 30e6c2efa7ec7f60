-- Backfill benchmark (sampled while the run goes): the stage each tenant's track is in.
SELECT tenant_id, run_id, stage, state FROM qbo_sync.tenant_tracks ORDER BY tenant_id;
