-- What stays attached in QuickBooks to the QuickBooks record of an app record being unlinked:
-- a client's invoices and sub-clients, an invoice's payments and credit notes, that our map
-- gives QuickBooks records. Returned as (entity, app id), for the message.
SELECT m.entity, m.source_id
FROM qbo_sync.entity_map AS m
WHERE m.tenant_id = %(tenant_id)s
  AND (
        (%(entity)s = 'customer' AND m.entity = 'invoice'
         AND m.source_id IN (SELECT i.id FROM billing.invoices AS i
                             WHERE i.tenant_id = %(tenant_id)s AND i.client_id = %(source_id)s))
     OR (%(entity)s = 'customer' AND m.entity = 'customer'
         AND m.source_id IN (SELECT c.id FROM billing.clients AS c
                             WHERE c.tenant_id = %(tenant_id)s AND c.parent_client_id = %(source_id)s))
     OR (%(entity)s = 'invoice' AND m.entity = 'payment'
         AND m.source_id IN (SELECT p.id FROM billing.payments AS p
                             WHERE p.tenant_id = %(tenant_id)s AND p.invoice_id = %(source_id)s))
     OR (%(entity)s = 'invoice' AND m.entity = 'credit_memo'
         AND m.source_id IN (SELECT n.id FROM billing.credit_notes AS n
                             WHERE n.tenant_id = %(tenant_id)s AND n.invoice_id = %(source_id)s))
  )
ORDER BY m.entity, m.source_id;
