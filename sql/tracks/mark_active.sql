-- The tenant had records to sync: it is active (its payments are read back every run).
UPDATE qbo_sync.tenant_tracks SET active_at = now() WHERE tenant_id = %(tenant_id)s AND run_id = %(run_id)s;
