-- Test helper: each qbo_sync table and its rows (qbo_sync_row_counts.sql first, same session).
SELECT tablename, pg_temp.qbo_sync_rows(tablename) FROM pg_tables WHERE schemaname = 'qbo_sync' ORDER BY 1;
