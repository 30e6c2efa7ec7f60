-- What the billing app says of records changed in QuickBooks: how to name them, their
-- amount and status, and the fields of their QuickBooks fingerprint (changes/fingerprint.py)
-- as the sync would send them.
SELECT 'invoice', i.id, i.number, i.total, i.status,
       jsonb_build_object('DocNumber', i.number, 'TxnDate', i.issue_date::text,
                          'CustomerRef', coalesce(ic.customer_qbo_id, cm.qbo_id), 'TotalAmt', i.total::text,
                          'TotalTax', coalesce(i.tax_total, 0)::text)
FROM billing.invoices AS i
LEFT JOIN qbo_sync.entity_map AS cm
       ON cm.tenant_id = i.tenant_id AND cm.entity = 'customer' AND cm.source_id = i.client_id
-- an invoice in another currency went to the client's customer in that currency
LEFT JOIN qbo_sync.invoice_currencies AS ic ON ic.tenant_id = i.tenant_id AND ic.invoice_id = i.id
WHERE i.tenant_id = %(tenant_id)s AND i.id = ANY(%(invoice_ids)s::bigint[])
UNION ALL
SELECT 'credit_memo', n.id, n.number, n.total, n.status,
       jsonb_build_object('DocNumber', n.number, 'CustomerRef', coalesce(ic.customer_qbo_id, cm.qbo_id),
                          'TotalAmt', n.total::text)
FROM billing.credit_notes AS n
-- the sync sends a credit note to its invoice's customer (payments/outbound.py), whatever the
-- credit note's own client_id says
LEFT JOIN billing.invoices AS ni ON ni.id = n.invoice_id AND ni.tenant_id = n.tenant_id
LEFT JOIN qbo_sync.entity_map AS cm
       ON cm.tenant_id = n.tenant_id AND cm.entity = 'customer' AND cm.source_id = ni.client_id
LEFT JOIN qbo_sync.invoice_currencies AS ic ON ic.tenant_id = n.tenant_id AND ic.invoice_id = n.invoice_id
WHERE n.tenant_id = %(tenant_id)s AND n.id = ANY(%(credit_memo_ids)s::bigint[])
UNION ALL
SELECT 'payment', p.id, coalesce(p.reference, 'payment ' || p.id), p.amount,
       CASE WHEN p.voided_at IS NULL THEN 'recorded' ELSE 'voided' END,
       -- QuickBooks unlinks the payments of an invoice it voids: a voided invoice pays nothing.
       -- The date as the sync sends it (the session's day, as psycopg gives it to the sender),
       -- the reference as QuickBooks keeps it (its last 21 characters under payment_ref_policy
       -- truncate; a longer one is never sent otherwise).
       jsonb_build_object('TotalAmt', p.amount::text,
                          'TxnDate', p.paid_at::date::text,
                          'PaymentRefNum', right(p.reference, 21),
                          'Invoices', CASE WHEN pi.status = 'voided' THEN NULL ELSE im.qbo_id END)
FROM billing.payments AS p
LEFT JOIN billing.invoices AS pi ON pi.id = p.invoice_id
LEFT JOIN qbo_sync.entity_map AS im
       ON im.tenant_id = p.tenant_id AND im.entity = 'invoice' AND im.source_id = p.invoice_id
WHERE p.tenant_id = %(tenant_id)s AND p.id = ANY(%(payment_ids)s::bigint[])
UNION ALL
-- an app refund the sync sent as a RefundReceipt: the amount given back
SELECT 'refund', f.id, coalesce(f.reference, 'refund ' || f.id), f.amount,
       CASE WHEN f.voided_at IS NULL THEN 'recorded' ELSE 'voided' END,
       jsonb_build_object('TotalAmt', f.amount::text)
FROM billing.refunds AS f
WHERE f.tenant_id = %(tenant_id)s AND f.id = ANY(%(refund_ids)s::bigint[])
UNION ALL
-- A credit memo's application (the zero Payment linking memo and invoice): what it should link.
SELECT 'credit_application', n.id, n.number, n.total, n.status,
       jsonb_build_object('Invoice', am.qbo_id, 'CreditMemo', mm.qbo_id, 'InvoiceNumber', ai.number)
FROM billing.credit_notes AS n
LEFT JOIN billing.invoices AS ai ON ai.id = n.invoice_id AND ai.tenant_id = n.tenant_id
LEFT JOIN qbo_sync.entity_map AS am
       ON am.tenant_id = n.tenant_id AND am.entity = 'invoice' AND am.source_id = n.invoice_id
LEFT JOIN qbo_sync.entity_map AS mm
       ON mm.tenant_id = n.tenant_id AND mm.entity = 'credit_memo' AND mm.source_id = n.id
WHERE n.tenant_id = %(tenant_id)s AND n.id = ANY(%(credit_application_ids)s::bigint[])
UNION ALL
SELECT 'customer', c.id,
       coalesce(nullif(trim(concat_ws(' ', c.first_name, c.last_name)), ''), c.company_name, 'client ' || c.id),
       NULL::numeric, CASE WHEN c.active THEN 'active' ELSE 'inactive' END, NULL::jsonb
FROM billing.clients AS c
WHERE c.tenant_id = %(tenant_id)s AND c.id = ANY(%(customer_ids)s::bigint[]);
