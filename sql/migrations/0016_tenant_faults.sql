-- Red means new (issue 18.6): a run is marked failed for what needs eyes now, and a fault of
-- a whole tenant (QuickBooks must be reconnected, QuickBooks blocks this app's reads for the
-- month) needs eyes once, not every hour until it is fixed. One row per fault a tenant has
-- now: the run that reported it first, and what marks this occurrence of it (when the
-- connection was marked reconnect_required, when QuickBooks blocked the reads), so that the
-- same fault coming back after it was fixed is news again. The report task of each run opens
-- the faults it met and closes those its tenants no longer have.
CREATE TABLE qbo_sync.tenant_faults (
    tenant_id     bigint NOT NULL,
    fault         text NOT NULL CHECK (fault IN ('reconnect_required', 'reads_blocked')),
    marker        timestamptz,
    first_run_id  text NOT NULL,
    since         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, fault)
);
