-- How far a tenant's load is, for the QuickBooks sync page (issue 19): the load of the run in
-- progress_run_id has done progress_done of progress_total records of progress_entity
-- (customer, then invoice), since progress_started_at; progress_at is the last update (after
-- each load batch). The rate and ETA are computed from these when the page is read.
ALTER TABLE qbo_sync.tenant_tracks
    ADD COLUMN progress_run_id text,
    ADD COLUMN progress_entity text,
    ADD COLUMN progress_done integer CHECK (progress_done >= 0),
    ADD COLUMN progress_total integer CHECK (progress_total >= 0),
    ADD COLUMN progress_started_at timestamptz,
    ADD COLUMN progress_at timestamptz;
