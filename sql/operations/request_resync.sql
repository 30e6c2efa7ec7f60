-- Ask the next qbo_sync run to send these records again (the extract stages every record
-- with resync_requested_at set, unless it is excluded).
INSERT INTO qbo_sync.record_controls AS rc
    (tenant_id, entity, source_id, resync_requested_at, note, updated_by, updated_at)
SELECT %(tenant_id)s, %(entity)s, ids.source_id, now(), %(note)s, %(requested_by)s, now()
FROM unnest(%(source_ids)s::bigint[]) AS ids(source_id)
ON CONFLICT (tenant_id, entity, source_id) DO UPDATE SET
    resync_requested_at = now(),
    note = EXCLUDED.note,
    updated_by = EXCLUDED.updated_by,
    updated_at = now();
