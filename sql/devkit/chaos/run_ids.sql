-- Chaos checks: every run that logged an outcome.
SELECT DISTINCT l.run_id FROM qbo_sync.sync_log AS l WHERE l.run_id IS NOT NULL;
