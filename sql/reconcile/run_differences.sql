-- One run's differences, unexplained first, with whether each was alerted already.
SELECT c.tenant_id, c.entity, c.source_id, c.source_ref, c.qbo_id, c.amount, c.fields, c.app_value,
       c.qbo_value, c.verdict, c.explanation,
       EXISTS (SELECT 1 FROM qbo_sync.reconciliation_alerts AS a
               WHERE a.tenant_id = c.tenant_id AND a.entity = c.entity AND a.source_id = c.source_id
                 AND a.app_value = c.app_value AND a.qbo_value = c.qbo_value
                 AND a.run_id <> c.run_id) AS alerted_before
FROM qbo_sync.reconciliation AS c
WHERE c.run_id = %(run_id)s AND c.verdict <> 'agree'
ORDER BY c.tenant_id, c.verdict DESC, c.entity, c.source_id;
