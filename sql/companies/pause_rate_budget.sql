-- QuickBooks answered 429: every worker holds off this realm until paused_until.
INSERT INTO qbo_sync.rate_budget AS b (realm_id, request_tokens, batch_tokens, refilled_at, paused_until,
                                       throttled_count)
VALUES (%(realm_id)s, 0, 0, clock_timestamp(), clock_timestamp() + make_interval(secs => %(seconds)s), 1)
ON CONFLICT (realm_id) DO UPDATE
   SET paused_until = greatest(coalesce(b.paused_until, clock_timestamp()),
                               clock_timestamp() + make_interval(secs => %(seconds)s)),
       -- The bucket restarts empty after the pause, so the first minute is not a burst.
       request_tokens = 0,
       batch_tokens = 0,
       second_tokens = 0,
       refilled_at = greatest(coalesce(b.paused_until, clock_timestamp()),
                              clock_timestamp() + make_interval(secs => %(seconds)s)),
       throttled_count = b.throttled_count + 1;
