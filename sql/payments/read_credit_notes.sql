-- A tenant's staged credit notes with their invoice and customer in QuickBooks, and what the
-- sync recorded of their CreditMemo and its application (Id, SyncToken, hash, state); and,
-- for a memo edited in QuickBooks and staged to be put back (app_wins, or a resync), what
-- was changed there.
SELECT n.id, n.number, n.issue_date, n.total, n.reason, n.invoice_id, i.number, i.finalized_at,
       mi.qbo_id AS invoice_qbo_id, coalesce(ic.customer_qbo_id, mc.qbo_id) AS customer_qbo_id,
       mn.qbo_id AS credit_memo_qbo_id, ma.qbo_id AS application_qbo_id, n.status,
       mn.sync_token AS credit_memo_sync_token, mn.payload_hash AS credit_memo_hash,
       (mn.source_state ->> 'total')::numeric AS credit_memo_old_total,
       (mn.source_state ->> 'invoice_id')::bigint AS credit_memo_old_invoice_id,
       ma.sync_token AS application_sync_token,
       q.source_id IS NOT NULL AS put_back,
       q.detail AS changed_in_quickbooks,
       ic.currency AS invoice_currency, ic.exchange_rate AS invoice_exchange_rate
FROM qbo_sync.run_items AS r
JOIN billing.credit_notes AS n ON n.id = r.source_id
LEFT JOIN billing.invoices AS i ON i.id = n.invoice_id AND i.tenant_id = n.tenant_id
LEFT JOIN qbo_sync.entity_map AS mi
       ON mi.tenant_id = n.tenant_id AND mi.entity = 'invoice' AND mi.source_id = i.id
LEFT JOIN qbo_sync.entity_map AS mc
       ON mc.tenant_id = n.tenant_id AND mc.entity = 'customer' AND mc.source_id = i.client_id
LEFT JOIN qbo_sync.invoice_currencies AS ic
       ON ic.tenant_id = n.tenant_id AND ic.invoice_id = i.id
LEFT JOIN qbo_sync.entity_map AS mn
       ON mn.tenant_id = n.tenant_id AND mn.entity = 'credit_memo' AND mn.source_id = n.id
LEFT JOIN qbo_sync.entity_map AS ma
       ON ma.tenant_id = n.tenant_id AND ma.entity = 'credit_application' AND ma.source_id = n.id
LEFT JOIN qbo_sync.quickbooks_changes AS q
       ON q.tenant_id = n.tenant_id AND q.entity = 'credit_memo' AND q.source_id = n.id
      AND q.kind = 'edited' AND q.resolved_at IS NULL
WHERE r.run_id = %(run_id)s AND r.tenant_id = %(tenant_id)s AND r.entity = 'credit_memo'
  AND r.state = 'extracted'
ORDER BY n.id;
