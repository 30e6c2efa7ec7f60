-- Issue 18, item 2: changes made in QuickBooks to the records this sync wrote (read by the
-- run's one change-data-capture call), and what the sync does about them.

-- What the sync does when someone changes one of its records in QuickBooks:
-- 'flag': report it (a failed outcome with the fix) and send nothing for that record until
--         finance resyncs it (the app's version goes back) or excludes it (QuickBooks' stays);
-- 'app_wins': the next run puts the app's version back (an edited invoice, a customer made
--         inactive), with the current SyncToken. Voids, deletions and merges are always
--         reported: QuickBooks cannot undo them, and a deleted record is re-created only when
--         finance resyncs it.
ALTER TABLE qbo_sync.tenant_settings
    ADD COLUMN quickbooks_change_policy text NOT NULL DEFAULT 'flag'
        CHECK (quickbooks_change_policy IN ('flag', 'app_wins'));

-- What QuickBooks held after the last version of a record the sync knows to be in agreement
-- with the app (our own write, or a later change that only applied a payment): a small JSON
-- of the fields finance cares about. A later version that differs was edited in QuickBooks.
ALTER TABLE qbo_sync.entity_map ADD COLUMN qbo_fingerprint text;

-- The latest change made in QuickBooks to one of our records, while it is open, and how it
-- ended. Every change is also an outcome in qbo_sync.sync_log (the record's history).
CREATE TABLE qbo_sync.quickbooks_changes (
    tenant_id      bigint NOT NULL,
    entity         text NOT NULL CHECK (entity IN ('customer', 'invoice', 'credit_memo', 'payment')),
    source_id      bigint NOT NULL,
    realm_id       text NOT NULL,
    qbo_id         text NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('edited', 'voided', 'deleted', 'inactive', 'merged')),
    detail         text,                  -- what was edited, in a cause's words
    qbo_name       text,                  -- the record's name in QuickBooks (DisplayName, DocNumber)
    sync_token     text,
    changed_at     timestamptz,           -- QuickBooks' MetaData.LastUpdatedTime
    merged_into    text,                  -- a merged customer: the QuickBooks customer that kept its transactions
    learned_run_id text,
    learned_at     timestamptz NOT NULL DEFAULT now(),
    resolved_at    timestamptz,
    resolved_how   text,
    PRIMARY KEY (tenant_id, entity, source_id)
);

-- Per record with an open change: held (nothing is sent for it unless finance asks for a
-- resync) or restore (the tenant's policy is app_wins and QuickBooks can take the app's
-- version back: the next run stages it).
CREATE VIEW qbo_sync.quickbooks_change_holds AS
SELECT c.tenant_id,
       c.entity,
       c.source_id,
       c.kind,
       (coalesce(s.quickbooks_change_policy, 'flag') = 'app_wins'
        AND ((c.entity = 'invoice' AND c.kind = 'edited')
             OR (c.entity = 'customer' AND c.kind = 'inactive'))) AS restore
FROM qbo_sync.quickbooks_changes AS c
LEFT JOIN qbo_sync.tenant_settings AS s ON s.tenant_id = c.tenant_id
WHERE c.resolved_at IS NULL;
