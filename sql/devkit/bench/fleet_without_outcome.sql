-- Fleet benchmark: records one run staged that have no outcome in that run.
SELECT count(*)
FROM qbo_sync.run_items AS r
WHERE r.run_id = %(run_id)s
  AND NOT EXISTS (SELECT 1 FROM qbo_sync.sync_log AS l
                  WHERE l.run_id = r.run_id AND l.tenant_id = r.tenant_id
                    AND l.entity = r.entity AND l.source_id = r.source_id);
