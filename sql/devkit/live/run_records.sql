-- Live-cluster tests: every record a run staged, with its outcome row in that run (NULLs: none).
SELECT r.tenant_id, r.entity, r.source_id, l.status, l.qbo_id, l.task_id, l.try_number, l.cause
FROM qbo_sync.run_items AS r
LEFT JOIN qbo_sync.sync_log AS l
       ON l.run_id = r.run_id AND l.tenant_id = r.tenant_id AND l.entity = r.entity
      AND l.source_id = r.source_id
WHERE r.run_id = %(run_id)s
ORDER BY 1, 2, 3;
