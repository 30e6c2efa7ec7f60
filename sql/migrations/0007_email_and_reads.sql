-- Issue 20, points 3 and 4: e-mail addresses QuickBooks would refuse (fault 2210), the
-- per-second request bound, and reads blocked for the month (Intuit's metered CorePlus calls).

-- 'omit': a client whose e-mail address QuickBooks would refuse is synced without it, and its
-- sync-log row says so; 'fail': the client fails with the fix (correct the address).
ALTER TABLE qbo_sync.tenant_settings
    ADD COLUMN invalid_email_policy text NOT NULL DEFAULT 'omit'
        CHECK (invalid_email_policy IN ('omit', 'fail'));

-- The per-second bucket of the rate budget ("10 requests per second, per realm ID and app").
-- It starts empty: the first grant of a new realm row (taken by take_rate_tokens, which does
-- not know this bucket) must not come on top of a full per-second bucket.
ALTER TABLE qbo_sync.rate_budget
    ADD COLUMN second_tokens double precision NOT NULL DEFAULT 0;

-- QuickBooks blocked the app's reads (CorePlus calls) for the rest of the month. Remembered per
-- tenant until blocked_until (the first instant of the next month, UTC), so later runs skip
-- reads at once, say so, and make no read request; writes (unmetered) still go.
CREATE TABLE qbo_sync.read_blocks (
    tenant_id     bigint PRIMARY KEY,
    realm_id      text NOT NULL,
    blocked_at    timestamptz NOT NULL DEFAULT now(),
    blocked_until timestamptz NOT NULL,
    detail        text NOT NULL,
    CHECK (blocked_until > blocked_at)
);
