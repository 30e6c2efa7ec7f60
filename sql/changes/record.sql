-- A change made in QuickBooks to one of our records: it becomes the record's open change.
INSERT INTO qbo_sync.quickbooks_changes AS q (
    tenant_id, entity, source_id, realm_id, qbo_id, kind, detail, qbo_name, sync_token, changed_at,
    learned_run_id
) VALUES (
    %(tenant_id)s, %(entity)s, %(source_id)s, %(realm_id)s, %(qbo_id)s, %(kind)s, %(detail)s, %(qbo_name)s,
    %(sync_token)s, %(changed_at)s, %(run_id)s
)
ON CONFLICT (tenant_id, entity, source_id) DO UPDATE SET
    realm_id = EXCLUDED.realm_id,
    qbo_id = EXCLUDED.qbo_id,
    kind = EXCLUDED.kind,
    detail = EXCLUDED.detail,
    qbo_name = coalesce(EXCLUDED.qbo_name, q.qbo_name),
    sync_token = EXCLUDED.sync_token,
    changed_at = EXCLUDED.changed_at,
    merged_into = NULL,
    learned_run_id = EXCLUDED.learned_run_id,
    learned_at = now(),
    resolved_at = NULL,
    resolved_how = NULL;
