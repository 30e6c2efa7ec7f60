SELECT pg_advisory_unlock(hashtext('qbo_sync.rate_slot:' || %(realm_id)s), %(slot)s);
