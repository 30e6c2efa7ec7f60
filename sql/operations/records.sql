-- The sync log page's table: each record's latest outcome, with finance's controls,
-- filtered by status, entity, date of the last attempt and free text. NULL filters are off.
-- linked_qbo_id: the QuickBooks record our map gives it now (Link / Unlink); acted_by and
-- error_message: who linked or unlinked it, and the words of that row.
SELECT s.entity, s.source_id, s.source_ref, s.status, s.action, s.error_code, s.category,
       s.cause, s.fix, s.qbo_id, s.amount, s.logged_at, s.run_id, s.adjustments,
       rc.resync_requested_at, rc.note, rc.updated_by, rc.updated_at,
       m.qbo_id AS linked_qbo_id, l.acted_by, s.error_message
FROM qbo_sync.record_status AS s
LEFT JOIN qbo_sync.record_controls AS rc
       ON rc.tenant_id = s.tenant_id AND rc.entity = s.entity AND rc.source_id = s.source_id
LEFT JOIN qbo_sync.entity_map AS m
       ON m.tenant_id = s.tenant_id AND m.entity = s.entity AND m.source_id = s.source_id
LEFT JOIN qbo_sync.sync_log AS l ON l.id = s.sync_log_id
WHERE s.tenant_id = %(tenant_id)s
  AND (%(status)s::text IS NULL OR s.status = %(status)s::text)
  AND (%(entity)s::text IS NULL OR s.entity = %(entity)s::text)
  AND (%(date_from)s::timestamptz IS NULL OR s.logged_at >= %(date_from)s::timestamptz)
  AND (%(date_to)s::timestamptz IS NULL OR s.logged_at < %(date_to)s::timestamptz)
  AND (%(q)s::text IS NULL
       OR strpos(lower(concat_ws(' ', s.source_ref, s.source_id::text, s.error_code, s.cause,
                                 s.fix, s.qbo_id, rc.note, l.acted_by)), lower(%(q)s::text)) > 0)
ORDER BY (s.status = 'failed') DESC, s.logged_at DESC, s.entity, s.source_id
LIMIT %(limit)s;
