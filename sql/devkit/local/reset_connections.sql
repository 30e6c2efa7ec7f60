-- `make airflow` only: the new emulator has none of the old companies, so forget the
-- connections and the map of what is in QuickBooks, but keep the sync log (the demo's
-- outcomes stay visible; a full sync re-sends everything to the new emulator).
TRUNCATE qbo_sync.tenant_connections, qbo_sync.tenant_settings, qbo_sync.tax_code_map,
         qbo_sync.entity_map, qbo_sync.sync_cursors;
