-- The audit trail of finance's actions: one row per record per action.
INSERT INTO qbo_sync.record_actions (tenant_id, entity, source_id, action, requested_by, dag_run_id, note)
SELECT %(tenant_id)s, %(entity)s, ids.source_id, %(action)s, %(requested_by)s, %(dag_run_id)s, %(note)s
FROM unnest(%(source_ids)s::bigint[]) AS ids(source_id);
