-- Issue 13, the points left (docs/operations.md "Reconciliation", "Refunds and overpayments",
-- "Changes made in QuickBooks").
--
-- 1. The reconciliation sums amounts per currency: an invoice billed in another currency than
--    the company's home currency is never added into the home-currency total. Each verdict
--    carries the currency of its amount (an invoice's own; a payment's, credit note's or
--    refund's: its invoice's).
ALTER TABLE qbo_sync.reconciliation ADD COLUMN currency char(3);

-- 4. Change data capture watches the RefundReceipts the sync sent: a refund edited (amount) or
--    deleted in QuickBooks is a change of its own, explained like the others.
ALTER TABLE qbo_sync.quickbooks_changes DROP CONSTRAINT IF EXISTS quickbooks_changes_entity_check;
ALTER TABLE qbo_sync.quickbooks_changes ADD CONSTRAINT quickbooks_changes_entity_check
    CHECK (entity IN ('customer', 'invoice', 'credit_memo', 'payment', 'refund'));
