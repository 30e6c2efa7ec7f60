SELECT status, status_reason FROM qbo_sync.tenant_connections WHERE tenant_id = %(tenant_id)s;
