SELECT source_id, qbo_id FROM qbo_sync.entity_map
WHERE tenant_id = %(tenant_id)s AND entity = %(entity)s AND source_id = ANY(%(source_ids)s);
