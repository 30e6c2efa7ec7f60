-- Every tenant moves through a run on a track of its own (extract -> validate -> load ->
-- payments out -> payments back). This row is the tenant's lease: one run at a time works on
-- a tenant (an hourly run and a backfill never send the same record twice); a retry of the
-- same run resumes what it left, and a clear of the run (Airflow counts them: run_clear) runs
-- the tenant afresh. pending_from..pending_to is what the tenant is owed: the hull
-- of the windows whose changes no finished track has staged yet (a run that had to leave the
-- tenant because another run held it, or a track that failed before staging); the next track
-- of the tenant reaches back to pending_from, so nothing is lost.
CREATE TABLE qbo_sync.tenant_tracks (
    tenant_id bigint PRIMARY KEY,
    run_id text NOT NULL,
    run_clear integer NOT NULL DEFAULT 0,
    stage text NOT NULL,
    state text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'done', 'failed')),
    started_at timestamptz NOT NULL DEFAULT now(),
    heartbeat_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    pending_from timestamptz,
    pending_to timestamptz,
    -- a full sync (every finalized invoice) had to leave the tenant: its next track does one
    pending_full boolean NOT NULL DEFAULT false,
    -- QuickBooks reads cost money (Intuit meters them per app per month): payments are read
    -- back at most every QBO_SYNC_IDLE_POLL_MINUTES once nothing moved for the tenant (no record
    -- staged, no QuickBooks payment imported) since active_at + QBO_SYNC_IDLE_AFTER_HOURS.
    polled_at timestamptz,
    active_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((pending_from IS NULL) = (pending_to IS NULL))
);

-- Each tenant's track in each run, for the run report, the fleet benchmark and on-call: how
-- far it went, how it ended, how many QuickBooks reads it spent, and when.
CREATE TABLE qbo_sync.track_runs (
    run_id text NOT NULL,
    tenant_id bigint NOT NULL,
    state text NOT NULL CHECK (state IN ('done', 'failed', 'left')),
    reads integer NOT NULL DEFAULT 0 CHECK (reads >= 0),
    polled boolean NOT NULL DEFAULT false,
    note text,
    started_at timestamptz,
    finished_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, tenant_id)
);
