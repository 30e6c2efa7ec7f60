-- Claim the alert of one run, tenant and channel. Run in the transaction that sends it:
-- a second sender blocks here until the first commits, then gets no row and sends nothing.
INSERT INTO qbo_sync.alerts_sent (run_id, tenant_id, channel, failed, reconnect, destination)
VALUES (%(run_id)s, %(tenant_id)s, %(channel)s, %(failed)s, %(reconnect)s, %(destination)s)
ON CONFLICT (run_id, tenant_id, channel) DO NOTHING
RETURNING sent_at;
