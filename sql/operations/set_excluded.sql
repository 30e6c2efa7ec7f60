-- Exclude records from resync (excluded = true) or include them again (false). Including
-- also drops a pending resync request: it predates the exclusion and was never honoured.
INSERT INTO qbo_sync.record_controls AS rc
    (tenant_id, entity, source_id, excluded, note, updated_by, updated_at)
SELECT %(tenant_id)s, %(entity)s, ids.source_id, %(excluded)s, %(note)s, %(requested_by)s, now()
FROM unnest(%(source_ids)s::bigint[]) AS ids(source_id)
ON CONFLICT (tenant_id, entity, source_id) DO UPDATE SET
    excluded = EXCLUDED.excluded,
    resync_requested_at = CASE WHEN EXCLUDED.excluded THEN NULL ELSE rc.resync_requested_at END,
    note = EXCLUDED.note,
    updated_by = EXCLUDED.updated_by,
    updated_at = now();
