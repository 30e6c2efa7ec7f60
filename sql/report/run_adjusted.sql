-- The records of one run that reached QuickBooks with something changed so QuickBooks
-- would take them (qbo_sync.sync_log.adjustments; docs/adjustments.md lists the rules).
SELECT l.tenant_id, l.entity, l.source_id, l.source_ref, l.adjustments
FROM qbo_sync.sync_log AS l
WHERE l.run_id = %(run_id)s AND l.status = 'synced' AND l.adjustments IS NOT NULL
ORDER BY l.tenant_id, l.entity, l.source_ref NULLS LAST, l.source_id;
