-- Outcomes of one run task, one row per record per run, in one statement (arrays of equal
-- length, one element per record; a record appears once): a retried or cleared task
-- replaces its run's rows instead of adding to them. The arrays go in binary (placeholders ending in b):
-- the same values, without quoting each text element (numeric stays text: Decimal).
INSERT INTO qbo_sync.sync_log (
    dag_id, run_id, task_id, map_index, try_number, tenant_id, realm_id, entity,
    source_id, source_ref, action, status, error_code, error_message, category,
    cause, fix, qbo_id, amount, adjustments
)
SELECT %(dag_id)s::text, %(run_id)s::text, %(task_id)s::text, %(map_index)s::int,
       %(try_number)s::int, r.tenant_id, r.realm_id, r.entity, r.source_id, r.source_ref,
       r.action, r.status, r.error_code, r.error_message, r.category, r.cause, r.fix,
       r.qbo_id, r.amount, r.adjustments
FROM unnest(%(tenant_id)b::bigint[], %(realm_id)b::text[], %(entity)b::text[],
            %(source_id)b::bigint[], %(source_ref)b::text[], %(action)b::text[],
            %(status)b::text[], %(error_code)b::text[], %(error_message)b::text[],
            %(category)b::text[], %(cause)b::text[], %(fix)b::text[], %(qbo_id)b::text[],
            %(amount)s::numeric[], %(adjustments)b::text[])
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
