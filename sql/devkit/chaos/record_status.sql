-- Chaos checks: the latest outcome of every record the sync ever considered.
SELECT s.tenant_id, s.entity, s.source_id, s.status, s.error_code, s.cause, s.fix, s.qbo_id
FROM qbo_sync.record_status AS s;
