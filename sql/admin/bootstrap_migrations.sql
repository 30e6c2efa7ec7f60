-- The sync's own schema and the ledger of applied migrations; safe to run every time.
CREATE SCHEMA IF NOT EXISTS qbo_sync;
CREATE TABLE IF NOT EXISTS qbo_sync.schema_migrations (
    version    text PRIMARY KEY,
    name       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);
