-- Whether the migration runner's own table exists yet (NULL: no migration ever ran here).
SELECT to_regclass('qbo_sync.schema_migrations') IS NOT NULL;
