-- Which of these QuickBooks Payments the sync wrote: an app payment ('payment', with its
-- reference and amount) or a credit note's application ('credit_application', with the
-- credit note's number as its reference). The others were made in QuickBooks
-- (qbo_sync.load.moves).
SELECT m.qbo_id, m.entity, m.source_id, coalesce(p.reference, n.number) AS reference, p.amount
FROM qbo_sync.entity_map AS m
LEFT JOIN billing.payments AS p
       ON m.entity = 'payment' AND p.id = m.source_id AND p.tenant_id = m.tenant_id
LEFT JOIN billing.credit_notes AS n
       ON m.entity = 'credit_application' AND n.id = m.source_id AND n.tenant_id = m.tenant_id
WHERE m.tenant_id = %(tenant_id)s AND m.realm_id = %(realm_id)s
  AND m.entity IN ('payment', 'credit_application') AND m.qbo_id = ANY(%(qbo_ids)s::text[]);
