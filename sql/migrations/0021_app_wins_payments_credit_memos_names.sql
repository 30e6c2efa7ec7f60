-- Issue 18, item 2 (gap): the policy app_wins also puts back a payment or a credit memo
-- (with its application) edited in QuickBooks, and a customer renamed there; a rename made
-- in QuickBooks is a change of its own ('renamed': the customer's DisplayName is no longer
-- the name the sync gave the client).
ALTER TABLE qbo_sync.quickbooks_changes DROP CONSTRAINT quickbooks_changes_kind_check;
ALTER TABLE qbo_sync.quickbooks_changes ADD CONSTRAINT quickbooks_changes_kind_check
    CHECK (kind IN ('edited', 'voided', 'deleted', 'inactive', 'merged', 'renamed'));

-- Per record with an open change: held (nothing is sent for it unless finance asks for a
-- resync) or restore (the tenant's policy is app_wins and QuickBooks can take the app's
-- version back: the next run stages it). Voids, deletions and merges cannot be put back.
CREATE OR REPLACE VIEW qbo_sync.quickbooks_change_holds AS
SELECT c.tenant_id,
       c.entity,
       c.source_id,
       c.kind,
       (coalesce(s.quickbooks_change_policy, 'flag') = 'app_wins'
        AND ((c.entity IN ('invoice', 'payment', 'credit_memo') AND c.kind = 'edited')
             OR (c.entity = 'customer' AND c.kind IN ('inactive', 'renamed')))) AS restore
FROM qbo_sync.quickbooks_changes AS c
LEFT JOIN qbo_sync.tenant_settings AS s ON s.tenant_id = c.tenant_id
WHERE c.resolved_at IS NULL;
