-- How a tenant's reconciliation went in a run (replaced by a re-run of the same run).
INSERT INTO qbo_sync.reconciliation_runs (run_id, tenant_id, dag_id, scope, state, checked, differ,
                                          unexplained, reads, note)
VALUES (%(run_id)s, %(tenant_id)s, %(dag_id)s, %(scope)s, %(state)s, %(checked)s, %(differ)s,
        %(unexplained)s, %(reads)s, %(note)s)
ON CONFLICT (run_id, tenant_id) DO UPDATE SET
    dag_id = EXCLUDED.dag_id, scope = EXCLUDED.scope, state = EXCLUDED.state,
    checked = EXCLUDED.checked, differ = EXCLUDED.differ, unexplained = EXCLUDED.unexplained,
    reads = EXCLUDED.reads, note = EXCLUDED.note, finished_at = now();
