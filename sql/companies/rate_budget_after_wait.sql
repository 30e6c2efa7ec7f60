-- After a caller's wait for its token: is the realm paused after a 429 right now, and are
-- other callers' request tokens still to come (the bucket, refilled to now on the database's
-- clock, below zero)? A caller that woke late sends only when nobody is waiting behind it.
SELECT coalesce(paused_until > clock_timestamp(), false),
       request_tokens + greatest(0, extract(epoch FROM clock_timestamp() - refilled_at))
                        * %(request_rate)s::float8 < 0
  FROM qbo_sync.rate_budget
 WHERE realm_id = %(realm_id)s;
