SELECT run_id FROM qbo_sync.sync_log WHERE dag_id = %(dag_id)s ORDER BY logged_at DESC, id DESC LIMIT 1;
