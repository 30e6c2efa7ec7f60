SELECT pg_advisory_lock(hashtext('qbo_sync.migrate'));
