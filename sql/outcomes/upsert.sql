-- One outcome per record per run: a retried or cleared task replaces its run's row.
INSERT INTO qbo_sync.sync_log (
    dag_id, run_id, task_id, map_index, try_number, tenant_id, realm_id, entity,
    source_id, source_ref, action, status, error_code, error_message, category,
    cause, fix, qbo_id, amount
) VALUES (
    %(dag_id)s, %(run_id)s, %(task_id)s, %(map_index)s, %(try_number)s, %(tenant_id)s,
    %(realm_id)s, %(entity)s, %(source_id)s, %(source_ref)s, %(action)s, %(status)s,
    %(error_code)s, %(error_message)s, %(category)s, %(cause)s, %(fix)s, %(qbo_id)s,
    %(amount)s
)
ON CONFLICT (run_id, tenant_id, entity, source_id) WHERE run_id IS NOT NULL DO UPDATE SET
    logged_at = now(),
    dag_id = EXCLUDED.dag_id,
    task_id = EXCLUDED.task_id,
    map_index = EXCLUDED.map_index,
    try_number = EXCLUDED.try_number,
    realm_id = EXCLUDED.realm_id,
    source_ref = EXCLUDED.source_ref,
    action = EXCLUDED.action,
    status = EXCLUDED.status,
    error_code = EXCLUDED.error_code,
    error_message = EXCLUDED.error_message,
    category = EXCLUDED.category,
    cause = EXCLUDED.cause,
    fix = EXCLUDED.fix,
    qbo_id = EXCLUDED.qbo_id,
    amount = EXCLUDED.amount;
