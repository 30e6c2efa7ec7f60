-- Serialises token refreshes of one realm across every process until the transaction ends.
SELECT pg_advisory_xact_lock(hashtextextended('qbo_sync.token_refresh:' || %(realm_id)s, 0));
