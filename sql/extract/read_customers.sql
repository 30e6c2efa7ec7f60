-- One chunk of a tenant's staged clients, parents first: keyset paging on (depth, id)
-- keeps memory flat.
SELECT c.id, c.tenant_id, c.first_name, c.last_name, c.company_name, c.email, c.phone,
       c.parent_client_id, c.active, r.depth
FROM qbo_sync.run_items AS r
JOIN billing.clients AS c ON c.id = r.source_id
WHERE r.run_id = %(run_id)s AND r.tenant_id = %(tenant_id)s AND r.entity = 'customer'
  AND r.state = 'extracted'
  AND (r.depth, r.source_id) > (%(after_depth)s, %(after_id)s)
ORDER BY r.depth, r.source_id
LIMIT %(limit)s;
