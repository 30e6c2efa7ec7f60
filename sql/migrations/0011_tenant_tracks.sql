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
    CHECK ((pending_from IS NULL) = (pending_to IS NULL))
);
