-- A run met a tenant's fault: open it, or keep it as it was when this occurrence (marker) was
-- already open; a new occurrence (the fault was fixed and came back) is opened afresh.
INSERT INTO qbo_sync.tenant_faults AS f (tenant_id, fault, marker, first_run_id, since)
VALUES (%(tenant_id)s, %(fault)s, %(marker)s, %(run_id)s, now())
ON CONFLICT (tenant_id, fault) DO UPDATE
   SET marker = EXCLUDED.marker, first_run_id = EXCLUDED.first_run_id, since = EXCLUDED.since
 WHERE f.marker IS DISTINCT FROM EXCLUDED.marker;
