-- A tenant's staged app payments with what posting them needs: the invoice and customer
-- in QuickBooks, and the payment's own QuickBooks record if it was sent before: its recorded
-- state (what the app said when it was written), whether the app still says the same, and the
-- number of the invoice it was written against (to say where an edited payment moved from);
-- and, for a payment edited in QuickBooks and staged to be put back (app_wins, or a resync),
-- what was changed there; and the reference it was written with (one removed in the app since
-- is cleared in QuickBooks by a full update: payments/references.py).
-- A foreign-currency invoice's payment goes to the invoice's customer in that currency.
SELECT p.id, p.amount, p.paid_at, p.method, p.reference, p.voided_at, p.invoice_id,
       i.number, i.client_id, i.finalized_at,
       mi.qbo_id AS invoice_qbo_id, coalesce(ic.customer_qbo_id, mc.qbo_id) AS customer_qbo_id,
       mp.qbo_id AS payment_qbo_id, mp.sync_token, mp.payload_hash,
       mp.source_state = qbo_sync.payment_state(p.amount, p.paid_at, p.reference, p.invoice_id) AS state_same,
       (mp.source_state ->> 'amount')::numeric AS old_amount,
       (mp.source_state ->> 'invoice_id')::bigint AS old_invoice_id,
       oi.number AS old_invoice_number,
       q.source_id IS NOT NULL AS put_back,
       q.detail AS changed_in_quickbooks,
       ic.currency AS invoice_currency, ic.exchange_rate AS invoice_exchange_rate,
       mp.source_state ->> 'reference' AS old_reference
FROM qbo_sync.run_items AS r
JOIN billing.payments AS p ON p.id = r.source_id
LEFT JOIN billing.invoices AS i ON i.id = p.invoice_id AND i.tenant_id = p.tenant_id
LEFT JOIN qbo_sync.entity_map AS mi
       ON mi.tenant_id = p.tenant_id AND mi.entity = 'invoice' AND mi.source_id = i.id
LEFT JOIN qbo_sync.entity_map AS mc
       ON mc.tenant_id = p.tenant_id AND mc.entity = 'customer' AND mc.source_id = i.client_id
LEFT JOIN qbo_sync.entity_map AS mp
       ON mp.tenant_id = p.tenant_id AND mp.entity = 'payment' AND mp.source_id = p.id
LEFT JOIN qbo_sync.invoice_currencies AS ic
       ON ic.tenant_id = p.tenant_id AND ic.invoice_id = i.id
LEFT JOIN billing.invoices AS oi
       ON oi.id = (mp.source_state ->> 'invoice_id')::bigint AND oi.tenant_id = p.tenant_id
LEFT JOIN qbo_sync.quickbooks_changes AS q
       ON q.tenant_id = p.tenant_id AND q.entity = 'payment' AND q.source_id = p.id
      AND q.kind = 'edited' AND q.resolved_at IS NULL
WHERE r.run_id = %(run_id)s AND r.tenant_id = %(tenant_id)s AND r.entity = 'payment'
  AND r.state = 'extracted'
ORDER BY p.id;
