-- Outcomes of one run task, one row per record per run, in one statement (arrays of equal
-- length, one element per record; a record appears once): a retried or cleared task
-- replaces its run's rows instead of adding to them.
INSERT INTO qbo_sync.sync_log (
    dag_id, run_id, task_id, map_index, try_number, tenant_id, realm_id, entity,
    source_id, source_ref, action, status, error_code, error_message, category,
    cause, fix, qbo_id, amount, adjustments
)
SELECT %(dag_id)s::text, %(run_id)s::text, %(task_id)s::text, %(map_index)s::int,
       %(try_number)s::int, r.tenant_id, r.realm_id, r.entity, r.source_id, r.source_ref,
       r.action, r.status, r.error_code, r.error_message, r.category, r.cause, r.fix,
       r.qbo_id, r.amount, r.adjustments
FROM unnest(%(tenant_id)s::bigint[], %(realm_id)s::text[], %(entity)s::text[],
            %(source_id)s::bigint[], %(source_ref)s::text[], %(action)s::text[],
            %(status)s::text[], %(error_code)s::text[], %(error_message)s::text[],
            %(category)s::text[], %(cause)s::text[], %(fix)s::text[], %(qbo_id)s::text[],
            %(amount)s::numeric[], %(adjustments)s::text[])
     AS r(tenant_id, realm_id, entity, source_id, source_ref, action, status, error_code,
          error_message, category, cause, fix, qbo_id, amount, adjustments)
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
    amount = EXCLUDED.amount,
    adjustments = EXCLUDED.adjustments;
