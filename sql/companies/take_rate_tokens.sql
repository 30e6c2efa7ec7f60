-- 0 = a request (and batch) token was taken; otherwise seconds to wait.
SELECT qbo_sync.take_rate_tokens(%(realm_id)s, %(is_batch)s, %(request_capacity)s, %(request_rate)s,
                                 %(batch_capacity)s, %(batch_rate)s);
