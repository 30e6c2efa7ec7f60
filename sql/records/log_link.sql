-- A link or unlink in the record's history (qbo_sync.sync_log): who, when (logged_at), what.
-- No run: run_id stays NULL, so every link and unlink keeps its own row.
INSERT INTO qbo_sync.sync_log (dag_id, tenant_id, realm_id, entity, source_id, source_ref, action,
                               status, error_code, error_message, category, cause, fix, qbo_id,
                               amount, acted_by)
VALUES (%(dag_id)s, %(tenant_id)s, %(realm_id)s, %(entity)s, %(source_id)s, %(source_ref)s,
        %(action)s, %(status)s, %(error_code)s, %(error_message)s, %(category)s, %(cause)s,
        %(fix)s, %(qbo_id)s, %(amount)s, %(acted_by)s)
RETURNING id, logged_at;
