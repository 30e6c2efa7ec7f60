-- The failed records of one run, with what finance needs to act on them.
SELECT l.tenant_id, l.entity, l.source_id, l.source_ref,
       CASE WHEN l.entity = 'customer' THEN NULL  -- the record is the client itself
            ELSE coalesce(nullif(trim(concat_ws(' ', c.first_name, c.last_name)), ''), c.company_name)
       END AS client,
       l.amount, l.error_code, l.cause, l.fix, l.category
FROM qbo_sync.sync_log AS l
LEFT JOIN billing.invoices AS i ON l.entity = 'invoice' AND i.id = l.source_id
LEFT JOIN billing.clients AS c
       ON c.id = CASE WHEN l.entity = 'customer' THEN l.source_id ELSE i.client_id END
WHERE l.run_id = %(run_id)s AND l.status = 'failed'
ORDER BY l.tenant_id, l.entity, l.source_ref NULLS LAST, l.source_id;
