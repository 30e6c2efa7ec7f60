SELECT position FROM qbo_sync.sync_cursors WHERE tenant_id = %(tenant_id)s AND name = %(name)s;
