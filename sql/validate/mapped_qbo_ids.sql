-- Which of these QuickBooks ids are already mapped, and to which source record.
SELECT qbo_id, source_id FROM qbo_sync.entity_map
WHERE realm_id = %(realm_id)s AND entity = %(entity)s AND qbo_id = ANY(%(qbo_ids)s);
