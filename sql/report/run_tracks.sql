-- Each tenant's track in a run: how it ended, its QuickBooks reads, whether it read payments back.
SELECT r.tenant_id, r.state, r.reads, r.polled, r.note FROM qbo_sync.track_runs AS r
WHERE r.run_id = %(run_id)s ORDER BY r.tenant_id;
