-- Why a client failed in this run, for the invoices that depend on it.
SELECT l.source_id, l.cause FROM qbo_sync.sync_log AS l
WHERE l.run_id = %(run_id)s AND l.tenant_id = %(tenant_id)s AND l.entity = 'customer'
  AND l.status = 'failed';
