-- Every tenant whose reads QuickBooks blocks now, for `python -m qbo_sync.companies.read_blocks`.
SELECT tenant_id, realm_id, blocked_at, blocked_until, detail
  FROM qbo_sync.read_blocks
 WHERE blocked_until > now()
 ORDER BY tenant_id;
