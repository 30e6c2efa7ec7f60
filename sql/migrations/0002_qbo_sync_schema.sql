-- The sync's own state. The schema itself is created by the migration runner's
-- bootstrap (it keeps the migration ledger there).

-- One QuickBooks company (realm) per tenant. Tokens are Fernet-encrypted by the
-- application before they reach this table; plain tokens are never stored.
CREATE TABLE qbo_sync.tenant_connections (
    tenant_id                 bigint PRIMARY KEY,
    realm_id                  text NOT NULL UNIQUE,
    status                    text NOT NULL DEFAULT 'connected'
        CHECK (status IN ('connected', 'reconnect_required', 'disconnected')),
    status_reason             text,
    -- Invoices finalized before this moment are historical and never synced.
    connected_at              timestamptz NOT NULL DEFAULT now(),
    access_token_enc          bytea,
    access_token_expires_at   timestamptz,
    refresh_token_enc         bytea,
    refresh_token_expires_at  timestamptz,
    refreshed_at              timestamptz,
    updated_at                timestamptz NOT NULL DEFAULT now()
);

-- Per-tenant mapping and policy: the seeds' "integration settings".
CREATE TABLE qbo_sync.tenant_settings (
    tenant_id                bigint PRIMARY KEY,
    -- The company's country decides the tax model: 'US' uses TAX/NON line codes.
    region                   text NOT NULL DEFAULT 'US',
    default_service_item_id  text,
    default_product_item_id  text,
    deposit_account_id       text,
    -- Outside the US every line needs a tax code: this one goes on lines without tax.
    no_tax_code_id           text,
    -- {name}: full name or company name; {tag}: last five digits of the client id.
    display_name_template    text NOT NULL DEFAULT '{name} ({tag})',
    -- 'fail': a name clash fails with a fix; 'suffix': add " - 2", " - 3", ...
    name_clash_policy        text NOT NULL DEFAULT 'fail'
        CHECK (name_clash_policy IN ('fail', 'suffix')),
    -- 'fail': a payment reference over 21 characters fails; 'truncate': keep the last 21.
    payment_ref_policy       text NOT NULL DEFAULT 'fail'
        CHECK (payment_ref_policy IN ('fail', 'truncate')),
    sync_enabled             boolean NOT NULL DEFAULT true,
    updated_at               timestamptz NOT NULL DEFAULT now()
);

-- The seeds' "Settings -> Taxes -> Sync with QuickBooks": each app tax rate is
-- linked to one QuickBooks tax code of the tenant's company.
CREATE TABLE qbo_sync.tax_code_map (
    tenant_id        bigint NOT NULL,
    tax_rate_id      bigint NOT NULL,
    qbo_tax_code_id  text NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, tax_rate_id)
);

-- Our record of what is in QuickBooks: source id -> QuickBooks Id, the SyncToken we
-- last saw and a hash of what we sent (unchanged records are skipped).
CREATE TABLE qbo_sync.entity_map (
    tenant_id       bigint NOT NULL,
    entity          text NOT NULL,
    source_id       bigint NOT NULL,
    realm_id        text NOT NULL,
    qbo_id          text NOT NULL,
    sync_token      text,
    payload_hash    text,
    doc_number      text,
    first_synced_at timestamptz NOT NULL DEFAULT now(),
    last_synced_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, entity, source_id),
    UNIQUE (realm_id, entity, qbo_id)
);

-- Finance's controls over single records: exclude from resync, ask for a resync.
CREATE TABLE qbo_sync.record_controls (
    tenant_id            bigint NOT NULL,
    entity               text NOT NULL,
    source_id            bigint NOT NULL,
    excluded             boolean NOT NULL DEFAULT false,
    resync_requested_at  timestamptz,
    note                 text,
    updated_by           text,
    updated_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, entity, source_id)
);

-- Cursors that only move forward after a run's writes commit (e.g. payments-in CDC).
CREATE TABLE qbo_sync.sync_cursors (
    tenant_id   bigint NOT NULL,
    name        text NOT NULL,
    position    timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, name)
);

-- One row per record per attempt: what happened, and for a failure, why and what to do.
CREATE TABLE qbo_sync.sync_log (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    logged_at      timestamptz NOT NULL DEFAULT now(),
    dag_id         text,
    run_id         text,
    task_id        text,
    map_index      int,
    try_number     int,
    tenant_id      bigint NOT NULL,
    realm_id       text,
    entity         text NOT NULL CHECK (entity IN
        ('customer', 'invoice', 'credit_memo', 'payment', 'invoice_void', 'payment_import')),
    source_id      bigint,
    source_ref     text,
    action         text NOT NULL CHECK (action IN ('create', 'update', 'void', 'import', 'skip')),
    status         text NOT NULL CHECK (status IN ('synced', 'failed', 'skipped', 'excluded')),
    error_code     text,
    error_message  text,
    category       text CHECK (category IN ('data', 'configuration', 'connection', 'transient')),
    cause          text,
    fix            text,
    qbo_id         text,
    amount         numeric(12,2),
    CHECK (status <> 'failed' OR (cause IS NOT NULL AND fix IS NOT NULL))
);
CREATE INDEX sync_log_record ON qbo_sync.sync_log (tenant_id, entity, source_id, id DESC);
-- Every record ends every run with exactly one outcome: a retried or cleared task
-- updates its run's row instead of adding another.
CREATE UNIQUE INDEX sync_log_one_outcome_per_run
    ON qbo_sync.sync_log (run_id, tenant_id, entity, source_id) WHERE run_id IS NOT NULL;
CREATE INDEX sync_log_failed ON qbo_sync.sync_log (tenant_id, entity, source_id) WHERE status = 'failed';
CREATE INDEX sync_log_run ON qbo_sync.sync_log (run_id);
CREATE INDEX sync_log_logged_at ON qbo_sync.sync_log (logged_at);

-- The latest outcome of every record; an excluded record shows as excluded.
CREATE VIEW qbo_sync.record_status AS
SELECT DISTINCT ON (l.tenant_id, l.entity, l.source_id)
    l.tenant_id,
    l.entity,
    l.source_id,
    l.source_ref,
    CASE WHEN rc.excluded THEN 'excluded' ELSE l.status END AS status,
    l.action,
    l.error_code,
    l.error_message,
    l.category,
    l.cause,
    l.fix,
    l.qbo_id,
    l.amount,
    l.logged_at,
    l.run_id,
    l.id AS sync_log_id
FROM qbo_sync.sync_log AS l
LEFT JOIN qbo_sync.record_controls AS rc
       ON rc.tenant_id = l.tenant_id AND rc.entity = l.entity AND rc.source_id = l.source_id
ORDER BY l.tenant_id, l.entity, l.source_id, l.id DESC;

-- What a run is working on: extract writes it, validate/transform fill it, load
-- consumes it in batches. Tasks pass ids through XCom, never data.
CREATE TABLE qbo_sync.run_items (
    run_id        text NOT NULL,
    tenant_id     bigint NOT NULL,
    entity        text NOT NULL,
    source_id     bigint NOT NULL,
    source_ref    text,
    reason        text NOT NULL CHECK (reason IN ('changed', 'retry', 'resync', 'full', 'dependency')),
    state         text NOT NULL DEFAULT 'extracted'
        CHECK (state IN ('extracted', 'invalid', 'skipped', 'ready', 'done')),
    depth         int NOT NULL DEFAULT 0,
    batch_no      int,
    payload       jsonb,
    payload_hash  text,
    amount        numeric(12,2),
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, tenant_id, entity, source_id)
);
CREATE INDEX run_items_batches ON qbo_sync.run_items (run_id, entity, tenant_id, batch_no);

-- Each run's validation result, kept for people to open later.
CREATE TABLE qbo_sync.validation_reports (
    run_id      text NOT NULL,
    tenant_id   bigint NOT NULL,
    entity      text NOT NULL,
    success     boolean NOT NULL,
    evaluated   int NOT NULL,
    failed      int NOT NULL,
    result      jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, tenant_id, entity)
);
