-- Chaos checks: records a run staged but left without an outcome row for that run.
SELECT r.run_id, r.tenant_id, r.entity, r.source_id
FROM qbo_sync.run_items AS r
LEFT JOIN qbo_sync.sync_log AS l
       ON l.run_id = r.run_id AND l.tenant_id = r.tenant_id AND l.entity = r.entity
      AND l.source_id = r.source_id
WHERE r.run_id = ANY(%(run_ids)s) AND l.id IS NULL
ORDER BY 1, 2, 3, 4;
