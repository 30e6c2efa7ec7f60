-- A free concurrency slot of the realm, taken as a session advisory lock (freed by
-- release_rate_slot, or when the connection ends). Slots this session already holds are
-- skipped: advisory locks are re-entrant within one session. CASE fixes the order of
-- evaluation, so a held slot is never locked a second time.
SELECT s
  FROM generate_series(0, %(slots)s - 1) AS s
 WHERE CASE WHEN s = ANY(%(held)s::int[]) THEN false
            ELSE pg_try_advisory_lock(hashtext('qbo_sync.rate_slot:' || %(realm_id)s), s) END
 LIMIT 1;
