-- A tenant's verdicts of one run, before that run reconciles the tenant again (a retried task).
DELETE FROM qbo_sync.reconciliation WHERE run_id = %(run_id)s AND tenant_id = %(tenant_id)s;
