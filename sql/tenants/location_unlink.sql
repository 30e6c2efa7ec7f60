-- Forget an app location's link; returns it when there was one.
DELETE FROM qbo_sync.location_links
WHERE tenant_id = %(tenant_id)s AND location_key = %(location_key)s
RETURNING app_location;
