SELECT c.realm_id, c.status FROM qbo_sync.tenant_connections AS c WHERE c.tenant_id = %(tenant_id)s;
