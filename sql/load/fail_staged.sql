-- Records of a tenant that cannot be worked on at all this run (e.g. its connection
-- needs reconnecting): every staged record gets the same explained failure.
SELECT r.entity, r.source_id, r.source_ref, r.amount
FROM qbo_sync.run_items AS r
WHERE r.run_id = %(run_id)s AND r.tenant_id = %(tenant_id)s AND r.state = 'extracted'
ORDER BY r.entity, r.source_id;
