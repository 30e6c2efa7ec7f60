-- The product's reconciliation of the chaos run: every verdict, and what differs.
SELECT r.verdict, r.tenant_id, r.entity, r.source_ref, r.app_value, r.qbo_value
FROM qbo_sync.reconciliation AS r
WHERE r.run_id = %(run_id)s
ORDER BY r.tenant_id, r.entity, r.source_id;
