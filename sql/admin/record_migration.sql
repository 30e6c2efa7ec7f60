INSERT INTO qbo_sync.schema_migrations (version, name, checksum)
VALUES (%(version)s, %(name)s, %(checksum)s);
