-- Issue 18 (edits after sync): the QuickBooks customer the sync last wrote each invoice to, so
-- that an invoice moved to another client in the app is noticed before its update is sent
-- (qbo_sync.load.moves: payments applied to it in QuickBooks must move first, or it fails).
-- NULL: not known (a record linked by hand); such an update is sent as before.
ALTER TABLE qbo_sync.entity_map ADD COLUMN customer_qbo_id text;

-- Invoices synced before this migration: the app and QuickBooks agreed when they were sent,
-- so the customer is the one the invoice's client has now (its currency customer for an
-- invoice in another currency). A move made in the app before this migration is not seen.
UPDATE qbo_sync.entity_map AS m
SET customer_qbo_id = coalesce(ic.customer_qbo_id, mc.qbo_id)
FROM billing.invoices AS i
LEFT JOIN qbo_sync.entity_map AS mc
       ON mc.tenant_id = i.tenant_id AND mc.entity = 'customer' AND mc.source_id = i.client_id
LEFT JOIN qbo_sync.invoice_currencies AS ic
       ON ic.tenant_id = i.tenant_id AND ic.invoice_id = i.id
WHERE m.entity = 'invoice' AND m.source_id = i.id AND m.tenant_id = i.tenant_id
  AND m.customer_qbo_id IS NULL;
