SELECT version, checksum FROM qbo_sync.schema_migrations ORDER BY version;
