-- Is the realm paused after a 429 right now (on the database's clock)?
SELECT coalesce(paused_until > clock_timestamp(), false)
  FROM qbo_sync.rate_budget
 WHERE realm_id = %(realm_id)s;
