-- Set or clear the tenant's class and location: a null parameter keeps the value, the clear_*
-- flags empty it.
INSERT INTO qbo_sync.tenant_settings AS s (tenant_id, class_id, department_id)
VALUES (%(tenant_id)s, %(class_id)s, %(department_id)s)
ON CONFLICT (tenant_id) DO UPDATE SET
    class_id = CASE WHEN %(clear_class)s THEN NULL ELSE coalesce(%(class_id)s, s.class_id) END,
    department_id = CASE WHEN %(clear_location)s THEN NULL ELSE coalesce(%(department_id)s, s.department_id) END,
    updated_at = now();
