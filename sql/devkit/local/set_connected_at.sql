-- Demo and tests: pretend the tenant connected QuickBooks at a given moment, so that
-- invoices finalized before it are historical.
UPDATE qbo_sync.tenant_connections SET connected_at = %(connected_at)s WHERE tenant_id = %(tenant_id)s;
