-- The app refunds (origin 'app') of a tenant among the ids that RefundReceipts' tags name: a
-- tagged receipt whose answer was lost is ours only when its tag names one of them.
SELECT id FROM billing.refunds
WHERE tenant_id = %(tenant_id)s AND origin = 'app' AND id = ANY(%(ids)s);
