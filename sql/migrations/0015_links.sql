-- Link and unlink (docs/operations.md "Link and unlink"): finance attaches an app record to a
-- QuickBooks record that already exists instead of letting the sync create one, or forgets
-- such a link so that the next resync creates the record again. Each is a row of the sync log
-- (action 'link' or 'unlink', who in acted_by, when in logged_at, the QuickBooks record in
-- qbo_id, in words in error_message or cause/fix) and of the audit trail record_actions.
--
-- NOTE for merges: this redefines the two action checks with every action known here; a
-- migration that widens them too must list the union.
ALTER TABLE qbo_sync.sync_log DROP CONSTRAINT IF EXISTS sync_log_action_check;
ALTER TABLE qbo_sync.sync_log ADD CONSTRAINT sync_log_action_check
    CHECK (action IN ('create', 'update', 'void', 'import', 'skip', 'link', 'unlink'));

-- Who made the row when a person did (link, unlink): an Airflow user from the QuickBooks sync
-- page, or the shell user of `python -m qbo_sync.records`. NULL for a run's own outcomes.
ALTER TABLE qbo_sync.sync_log ADD COLUMN acted_by text;

ALTER TABLE qbo_sync.record_actions DROP CONSTRAINT IF EXISTS record_actions_action_check;
ALTER TABLE qbo_sync.record_actions ADD CONSTRAINT record_actions_action_check
    CHECK (action IN ('resync', 'exclude', 'include', 'resync_done', 'link', 'unlink'));
