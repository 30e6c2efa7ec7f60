INSERT INTO qbo_sync.validation_reports (run_id, tenant_id, entity, success, evaluated, failed, result)
VALUES (%(run_id)s, %(tenant_id)s, %(entity)s, %(success)s, %(evaluated)s, %(failed)s, %(result)s)
ON CONFLICT (run_id, tenant_id, entity) DO UPDATE SET
    success = EXCLUDED.success, evaluated = EXCLUDED.evaluated, failed = EXCLUDED.failed,
    result = EXCLUDED.result, created_at = now();
