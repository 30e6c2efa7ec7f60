-- Every invoice of a tenant that is in QuickBooks (not voided), with the app's balance:
-- total less live payments and finalized credit notes.
SELECT i.id, i.number, m.qbo_id, i.client_id,
       i.total - coalesce((SELECT sum(p.amount) FROM billing.payments AS p
                           WHERE p.invoice_id = i.id AND p.voided_at IS NULL), 0)
               - coalesce((SELECT sum(n.total) FROM billing.credit_notes AS n
                           WHERE n.invoice_id = i.id AND n.status = 'finalized'), 0) AS balance,
       (SELECT count(*) FROM billing.payments AS p WHERE p.invoice_id = i.id) AS payments
FROM qbo_sync.entity_map AS m
JOIN billing.invoices AS i ON i.id = m.source_id
WHERE m.tenant_id = %(tenant_id)s AND m.entity = 'invoice' AND i.status = 'finalized'
ORDER BY i.id;
