-- Finance's operations on the sync: resync, exclude and include records, and the alerts
-- sent after a run.

-- Every action taken on a record, append-only: record_controls keeps only the latest
-- state, this keeps who did what, when, and from which qbo_resync run.
CREATE TABLE qbo_sync.record_actions (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    acted_at      timestamptz NOT NULL DEFAULT now(),
    tenant_id     bigint NOT NULL,
    entity        text NOT NULL,
    source_id     bigint NOT NULL,
    action        text NOT NULL CHECK (action IN ('resync', 'exclude', 'include', 'resync_done')),
    requested_by  text NOT NULL,
    dag_run_id    text,
    note          text
);
CREATE INDEX record_actions_record ON qbo_sync.record_actions (tenant_id, entity, source_id, id DESC);

-- One alert per run, tenant and channel. The row is inserted in the same transaction
-- that sends, so a retried or concurrent report task finds it and sends nothing.
CREATE TABLE qbo_sync.alerts_sent (
    run_id      text NOT NULL,
    tenant_id   bigint NOT NULL,
    channel     text NOT NULL CHECK (channel IN ('email', 'webhook')),
    sent_at     timestamptz NOT NULL DEFAULT now(),
    failed      int NOT NULL,
    reconnect   boolean NOT NULL,
    -- Where it went, without secrets: e-mail addresses, or the webhook's host.
    destination text NOT NULL,
    PRIMARY KEY (run_id, tenant_id, channel)
);
