SELECT run_id FROM qbo_sync.validation_reports ORDER BY created_at DESC LIMIT 1;
