-- Demo only: forget every QuickBooks connection, mapping and sync outcome, because the demo
-- starts a new (empty) QuickBooks emulator each time: a QuickBooks Id kept from an earlier demo
-- (an entity map row, a client's customer in another currency, an item map row...) names
-- nothing in the new company. Every table of the qbo_sync schema, so that a table added later
-- is forgotten too, except the migration ledger and who may see which tenant (tenant_access:
-- the page's users, set by hand for `make airflow`). Never run against real books.
DO $$
DECLARE
    tables text;
BEGIN
    SELECT string_agg(format('%I.%I', schemaname, tablename), ', ')
      INTO tables
      FROM pg_tables
     WHERE schemaname = 'qbo_sync'
       AND tablename NOT IN ('schema_migrations', 'tenant_access');
    IF tables IS NOT NULL THEN
        EXECUTE 'TRUNCATE ' || tables;
    END IF;
END
$$;
