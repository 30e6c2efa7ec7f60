-- Fleet benchmark: QuickBooks payments imported into the app, per tenant and QuickBooks id.
SELECT tenant_id, external_id, count(*)
FROM billing.payments
WHERE origin <> 'app' AND external_id IS NOT NULL
GROUP BY tenant_id, external_id;
