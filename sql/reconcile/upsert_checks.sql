-- One reconciliation's verdicts for a tenant, in one statement (arrays of equal length); a
-- re-run of the same run replaces its rows.
INSERT INTO qbo_sync.reconciliation (run_id, dag_id, scope, tenant_id, entity, source_id, source_ref,
                                     qbo_id, amount, currency, fields, app_value, qbo_value, verdict,
                                     explanation)
SELECT %(run_id)s, %(dag_id)s, %(scope)s, %(tenant_id)s, r.entity, r.source_id, r.source_ref, r.qbo_id,
       r.amount, r.currency, r.fields, r.app_value, r.qbo_value, r.verdict, r.explanation
FROM unnest(%(entity)s::text[], %(source_id)s::bigint[], %(source_ref)s::text[], %(qbo_id)s::text[],
            %(amount)s::numeric[], %(currency)s::text[], %(fields)s::text[], %(app_value)s::text[], %(qbo_value)s::text[],
            %(verdict)s::text[], %(explanation)s::text[])
     AS r(entity, source_id, source_ref, qbo_id, amount, currency, fields, app_value, qbo_value, verdict, explanation)
ON CONFLICT (run_id, tenant_id, entity, source_id) DO UPDATE SET
    dag_id = EXCLUDED.dag_id,
    scope = EXCLUDED.scope,
    source_ref = EXCLUDED.source_ref,
    qbo_id = EXCLUDED.qbo_id,
    amount = EXCLUDED.amount,
    currency = EXCLUDED.currency,
    fields = EXCLUDED.fields,
    app_value = EXCLUDED.app_value,
    qbo_value = EXCLUDED.qbo_value,
    verdict = EXCLUDED.verdict,
    explanation = EXCLUDED.explanation,
    checked_at = now();
