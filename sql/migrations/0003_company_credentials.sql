-- The QuickBooks rate budget shared by every process and worker: one row per realm.
-- Token buckets (requests, batches) refill continuously; paused_until holds everyone
-- off after a 429. Concurrency slots are session advisory locks, not rows, so a
-- crashed worker's slots are freed with its connection.
CREATE TABLE qbo_sync.rate_budget (
    realm_id        text PRIMARY KEY,
    request_tokens  double precision NOT NULL,
    batch_tokens    double precision NOT NULL,
    refilled_at     timestamptz NOT NULL,
    paused_until    timestamptz,
    throttled_count bigint NOT NULL DEFAULT 0
);

-- Take one request token (and one batch token for a batch) if available. Returns 0 when
-- taken, else the seconds to wait before asking again. One call = one row lock, so
-- concurrent workers never both spend the last token.
CREATE FUNCTION qbo_sync.take_rate_tokens(
    p_realm_id text,
    p_is_batch boolean,
    p_request_capacity double precision,
    p_request_rate double precision,
    p_batch_capacity double precision,
    p_batch_rate double precision
) RETURNS double precision
LANGUAGE plpgsql AS $$
DECLARE
    b qbo_sync.rate_budget%ROWTYPE;
    now_ts timestamptz;
    elapsed double precision;
    req double precision;
    bat double precision;
    wait double precision := 0;
BEGIN
    INSERT INTO qbo_sync.rate_budget (realm_id, request_tokens, batch_tokens, refilled_at)
    VALUES (p_realm_id, p_request_capacity, p_batch_capacity, clock_timestamp())
    ON CONFLICT (realm_id) DO NOTHING;

    SELECT * INTO b FROM qbo_sync.rate_budget WHERE realm_id = p_realm_id FOR UPDATE;
    -- Read the clock after the lock: time spent waiting for it must not be refilled twice.
    now_ts := clock_timestamp();
    IF b.paused_until IS NOT NULL AND b.paused_until > now_ts THEN
        RETURN extract(epoch FROM b.paused_until - now_ts);
    END IF;
    elapsed := greatest(0, extract(epoch FROM now_ts - b.refilled_at));
    req := least(p_request_capacity, b.request_tokens + elapsed * p_request_rate);
    bat := least(p_batch_capacity, b.batch_tokens + elapsed * p_batch_rate);
    IF req < 1 THEN
        wait := (1 - req) / p_request_rate;
    END IF;
    IF p_is_batch AND bat < 1 THEN
        wait := greatest(wait, (1 - bat) / p_batch_rate);
    END IF;
    IF wait = 0 THEN
        req := req - 1;
        IF p_is_batch THEN
            bat := bat - 1;
        END IF;
    END IF;
    UPDATE qbo_sync.rate_budget
       SET request_tokens = req,
           batch_tokens = bat,
           refilled_at = greatest(b.refilled_at, now_ts)
     WHERE realm_id = p_realm_id;
    RETURN wait;
END
$$;
