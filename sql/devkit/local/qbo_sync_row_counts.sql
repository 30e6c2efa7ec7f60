-- Test helper: the rows in each table of the qbo_sync schema (a function of this session only,
-- the table name quoted by format's %I).
CREATE OR REPLACE FUNCTION pg_temp.qbo_sync_rows(t text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
    EXECUTE 'SELECT count(*) FROM ' || format('%I.%I', 'qbo_sync', t) INTO n;
    RETURN n;
END
$$;
