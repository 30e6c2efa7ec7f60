-- A tenant's app locations linked to a QuickBooks Class and/or Department.
SELECT l.location_key, l.app_location, l.class_id, l.department_id
FROM qbo_sync.location_links AS l
WHERE l.tenant_id = %(tenant_id)s
ORDER BY l.app_location;
