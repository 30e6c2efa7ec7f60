SELECT v.tenant_id, v.entity, v.success, v.evaluated, v.failed, v.result, v.created_at
FROM qbo_sync.validation_reports AS v
WHERE v.run_id = %(run_id)s
ORDER BY v.tenant_id, v.entity;
