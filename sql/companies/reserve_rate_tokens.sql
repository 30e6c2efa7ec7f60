-- Reserve the realm's next request token (and batch token for a batch, and per-second token
-- when second_rate > 0) and answer how many seconds until it exists (0: now). Tokens may go
-- below zero: each caller owns a distinct future instant, so waiters neither race for one token
-- nor lose refill by waking late (the capacity-1 bucket of take_rate_tokens drops whatever
-- refills while nobody asks). Any window of W seconds still sees at most capacity + rate * W
-- grants per bucket. No row (new realm, or paused after a 429): the caller falls back to
-- qbo_sync.take_rate_tokens.
UPDATE qbo_sync.rate_budget AS b
   SET request_tokens = least(%(request_capacity)s::float8,
                              b.request_tokens + greatest(0, extract(epoch FROM c.now - b.refilled_at))
                                                 * %(request_rate)s::float8) - 1,
       batch_tokens = least(%(batch_capacity)s::float8,
                            b.batch_tokens + greatest(0, extract(epoch FROM c.now - b.refilled_at))
                                             * %(batch_rate)s::float8)
                      - CASE WHEN %(is_batch)s THEN 1 ELSE 0 END,
       second_tokens = CASE WHEN %(second_rate)s::float8 > 0
                            THEN least(%(second_capacity)s::float8,
                                       b.second_tokens + greatest(0, extract(epoch FROM c.now - b.refilled_at))
                                                         * %(second_rate)s::float8) - 1
                            ELSE b.second_tokens END,
       refilled_at = greatest(b.refilled_at, c.now)
  FROM (SELECT clock_timestamp() AS now) AS c
 WHERE b.realm_id = %(realm_id)s
   AND (b.paused_until IS NULL OR b.paused_until <= c.now)
RETURNING greatest(0, -b.request_tokens / %(request_rate)s::float8,
                   CASE WHEN %(is_batch)s THEN -b.batch_tokens / %(batch_rate)s::float8 ELSE 0 END,
                   CASE WHEN %(second_rate)s::float8 > 0 THEN -b.second_tokens / %(second_rate)s::float8
                        ELSE 0 END);
