-- Demo only: forget every QuickBooks connection and sync outcome, because the demo starts
-- a new (empty) QuickBooks emulator each time. Never run against real books.
TRUNCATE qbo_sync.tenant_connections, qbo_sync.tenant_settings, qbo_sync.tax_code_map,
         qbo_sync.entity_map, qbo_sync.record_controls, qbo_sync.sync_cursors,
         qbo_sync.sync_log, qbo_sync.run_items, qbo_sync.validation_reports;
