-- One run's outcomes; by_cheque: a refund paid back as a cheque (its Check in the entity map).
SELECT l.tenant_id, l.entity, l.source_id, l.source_ref, l.status, l.error_code,
       l.entity = 'refund' AND EXISTS (
           SELECT 1 FROM qbo_sync.entity_map AS m
           WHERE m.tenant_id = l.tenant_id AND m.entity = 'refund_check' AND m.source_id = l.source_id
       ) AS by_cheque
FROM qbo_sync.sync_log AS l WHERE l.run_id = %(run_id)s;
