-- Unexplained differences whose alert went out: the same difference found again stays quiet.
INSERT INTO qbo_sync.reconciliation_alerts (tenant_id, entity, source_id, app_value, qbo_value, run_id)
SELECT c.tenant_id, c.entity, c.source_id, c.app_value, c.qbo_value, c.run_id
FROM qbo_sync.reconciliation AS c
WHERE c.run_id = %(run_id)s AND c.tenant_id = %(tenant_id)s AND c.verdict = 'unexplained'
ON CONFLICT DO NOTHING;
