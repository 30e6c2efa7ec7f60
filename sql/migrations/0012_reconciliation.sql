-- Issue 18, item 1: reconciliation. After each tenant's track (the records the run touched)
-- and once a day over every synced record (the qbo_reconcile DAG), the app and QuickBooks are
-- compared record by record: invoices' TotalAmt, TotalTax and Balance, payments and the
-- invoice they pay, credit memos and their application, customers' existence and active state.

-- One row per record per reconciliation (a re-run of the same run replaces its rows).
-- verdict: 'agree'; 'explained' (they differ, and the sync log or QuickBooks' own tax
-- arithmetic says why: explanation); 'unexplained' (they differ and nothing we know says why).
CREATE TABLE qbo_sync.reconciliation (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id       text NOT NULL,
    dag_id       text,
    scope        text NOT NULL CHECK (scope IN ('run', 'full')),
    tenant_id    bigint NOT NULL,
    entity       text NOT NULL CHECK (entity IN ('customer', 'invoice', 'credit_memo', 'payment')),
    source_id    bigint NOT NULL,
    source_ref   text,
    qbo_id       text,
    amount       numeric(12,2),  -- the app's amount of the record (invoice total, payment, credit)
    fields       text,           -- what differs, e.g. 'Balance' or 'TotalAmt, Balance'; NULL when they agree
    app_value    text,           -- the app's side of what was compared, e.g. 'Balance 50.00'
    qbo_value    text,           -- QuickBooks' side of the same
    verdict      text NOT NULL CHECK (verdict IN ('agree', 'explained', 'unexplained')),
    explanation  text,
    checked_at   timestamptz NOT NULL DEFAULT now(),
    CHECK ((verdict = 'agree') = (fields IS NULL)),
    CHECK (verdict = 'agree' OR explanation IS NOT NULL),
    UNIQUE (run_id, tenant_id, entity, source_id)
);
CREATE INDEX reconciliation_tenant_day ON qbo_sync.reconciliation (tenant_id, checked_at);
CREATE INDEX reconciliation_differ ON qbo_sync.reconciliation (tenant_id, entity, source_id)
    WHERE verdict <> 'agree';

-- Each tenant's reconciliation in each run: what it covered, what it cost in QuickBooks reads
-- (Intuit meters them), and why it did not happen when it did not (a sync held the tenant,
-- the company must reconnect, reads are blocked for the month).
CREATE TABLE qbo_sync.reconciliation_runs (
    run_id       text NOT NULL,
    tenant_id    bigint NOT NULL,
    dag_id       text,
    scope        text NOT NULL CHECK (scope IN ('run', 'full')),
    state        text NOT NULL CHECK (state IN ('done', 'left', 'failed')),
    checked      integer NOT NULL DEFAULT 0,
    differ       integer NOT NULL DEFAULT 0,
    unexplained  integer NOT NULL DEFAULT 0,
    reads        integer NOT NULL DEFAULT 0 CHECK (reads >= 0),
    note         text,
    finished_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, tenant_id)
);

-- An unexplained difference alerts once: the difference (record and both sides) is remembered
-- here when its alert went out; the same difference found again stays quiet, a new one alerts.
CREATE TABLE qbo_sync.reconciliation_alerts (
    tenant_id   bigint NOT NULL,
    entity      text NOT NULL,
    source_id   bigint NOT NULL,
    app_value   text NOT NULL,
    qbo_value   text NOT NULL,
    run_id      text NOT NULL,
    alerted_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, entity, source_id, app_value, qbo_value)
);
