-- Fresh statistics after staging, so the planner sees a run's real size at once.
ANALYZE qbo_sync.run_items;
