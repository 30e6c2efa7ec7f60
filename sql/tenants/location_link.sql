-- Link an app location to a QuickBooks Class and/or Department (replacing its earlier link).
INSERT INTO qbo_sync.location_links (tenant_id, location_key, app_location, class_id, department_id)
VALUES (%(tenant_id)s, %(location_key)s, %(app_location)s, %(class_id)s, %(department_id)s)
ON CONFLICT (tenant_id, location_key) DO UPDATE SET
    app_location = excluded.app_location,
    class_id = excluded.class_id,
    department_id = excluded.department_id,
    updated_at = now();
