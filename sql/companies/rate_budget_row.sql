-- For reports and tests: the realm's bucket state.
SELECT realm_id, request_tokens, batch_tokens, refilled_at, paused_until, throttled_count, second_tokens
  FROM qbo_sync.rate_budget
 WHERE realm_id = %(realm_id)s;
