-- A tenant's clients that are customers in QuickBooks (all, or those of ids), and whether the
-- app still uses them.
SELECT c.id,
       coalesce(nullif(trim(concat_ws(' ', c.first_name, c.last_name)), ''), c.company_name, 'client ' || c.id),
       m.qbo_id, c.active
FROM qbo_sync.entity_map AS m
JOIN billing.clients AS c ON c.id = m.source_id AND c.tenant_id = m.tenant_id
WHERE m.tenant_id = %(tenant_id)s AND m.entity = 'customer'
  AND (%(ids)s::bigint[] IS NULL OR m.source_id = ANY(%(ids)s::bigint[]))
ORDER BY c.id;
