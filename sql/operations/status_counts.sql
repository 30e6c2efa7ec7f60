-- How many records of a tenant are in each latest status (excluded ones as 'excluded').
SELECT s.status, count(*) AS records
FROM qbo_sync.record_status AS s
WHERE s.tenant_id = %(tenant_id)s
GROUP BY s.status
ORDER BY s.status;
