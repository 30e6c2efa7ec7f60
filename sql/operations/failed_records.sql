-- Every record of one tenant whose latest outcome is a failure and that finance has not
-- excluded (record_status shows excluded records as 'excluded', not 'failed').
SELECT s.entity, s.source_id, s.source_ref
FROM qbo_sync.record_status AS s
WHERE s.tenant_id = %(tenant_id)s
  AND s.status = 'failed'
  AND (%(entity)s::text IS NULL OR s.entity = %(entity)s::text)
ORDER BY s.entity, s.source_id;
