-- Records that some earlier try or run already attempted: their last answer may have been
-- lost, so QuickBooks is searched before anything is posted for them again.
SELECT DISTINCT l.source_id
FROM qbo_sync.sync_log AS l
WHERE l.tenant_id = %(tenant_id)s AND l.entity = %(entity)s AND l.source_id = ANY(%(source_ids)s);
