-- What the sync changed in a record so QuickBooks would take it (a description cut to
-- 4,000 characters, ':' replaced in a name, a reference shortened by policy, ...), on the
-- record's synced outcome; NULL when it went as it is. docs/adjustments.md lists the rules.
ALTER TABLE qbo_sync.sync_log ADD COLUMN adjustments text;

-- The latest outcome of every record, now with its adjustments (appended, so the view's
-- existing columns keep their order).
CREATE OR REPLACE VIEW qbo_sync.record_status AS
SELECT DISTINCT ON (l.tenant_id, l.entity, l.source_id)
    l.tenant_id,
    l.entity,
    l.source_id,
    l.source_ref,
    CASE WHEN rc.excluded THEN 'excluded' ELSE l.status END AS status,
    l.action,
    l.error_code,
    l.error_message,
    l.category,
    l.cause,
    l.fix,
    l.qbo_id,
    l.amount,
    l.logged_at,
    l.run_id,
    l.id AS sync_log_id,
    l.adjustments
FROM qbo_sync.sync_log AS l
LEFT JOIN qbo_sync.record_controls AS rc
       ON rc.tenant_id = l.tenant_id AND rc.entity = l.entity AND rc.source_id = l.source_id
ORDER BY l.tenant_id, l.entity, l.source_id, l.id DESC;
