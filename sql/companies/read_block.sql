-- The tenant's read block still in force (QuickBooks blocked the app's metered reads until
-- the month ends), on the database's clock; no row when reads are allowed.
SELECT tenant_id, realm_id, blocked_at, blocked_until, detail
  FROM qbo_sync.read_blocks
 WHERE tenant_id = %(tenant_id)s
   AND blocked_until > now();
