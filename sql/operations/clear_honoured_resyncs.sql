-- After a qbo_sync run: a resync request is honoured once a run staged the record after
-- the request and synced it (or skipped it on purpose). A record that failed again keeps
-- its request; so does one whose request came in while the run was going. Each cleared
-- request is written to the audit trail; returns the cleared records.
WITH cleared AS (
    UPDATE qbo_sync.record_controls AS rc
       SET resync_requested_at = NULL,
           updated_at = now()
      FROM qbo_sync.run_items AS r
      JOIN qbo_sync.sync_log AS l
        ON l.run_id = r.run_id AND l.tenant_id = r.tenant_id AND l.entity = r.entity
       AND l.source_id = r.source_id
     WHERE r.run_id = %(run_id)s
       AND rc.tenant_id = r.tenant_id AND rc.entity = r.entity AND rc.source_id = r.source_id
       AND rc.resync_requested_at IS NOT NULL
       AND rc.resync_requested_at <= r.created_at
       AND l.status IN ('synced', 'skipped')
    RETURNING rc.tenant_id, rc.entity, rc.source_id, l.status
), logged AS (
    INSERT INTO qbo_sync.record_actions (tenant_id, entity, source_id, action, requested_by, dag_run_id, note)
    SELECT c.tenant_id, c.entity, c.source_id, 'resync_done', 'qbo_sync', %(run_id)s,
           'resync request honoured: ' || c.status
    FROM cleared AS c
)
SELECT tenant_id, entity, source_id, status FROM cleared ORDER BY tenant_id, entity, source_id;
