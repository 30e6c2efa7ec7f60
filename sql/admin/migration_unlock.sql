SELECT pg_advisory_unlock(hashtext('qbo_sync.migrate'));
