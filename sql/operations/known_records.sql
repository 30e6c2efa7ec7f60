-- The listed records of one tenant as the sync log knows them (latest outcome, and
-- whether finance excluded them). Ids missing from the result are unknown records.
SELECT s.source_id, s.source_ref, s.status, coalesce(rc.excluded, false) AS excluded,
       rc.resync_requested_at
FROM qbo_sync.record_status AS s
LEFT JOIN qbo_sync.record_controls AS rc
       ON rc.tenant_id = s.tenant_id AND rc.entity = s.entity AND rc.source_id = s.source_id
WHERE s.tenant_id = %(tenant_id)s
  AND s.entity = %(entity)s
  AND s.source_id = ANY(%(source_ids)s)
ORDER BY s.source_id;
