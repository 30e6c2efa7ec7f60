-- `tenants set --sync-from` moved earlier: ask the next run to send the app's finalized
-- invoices finalized in [sync_from, previous) that are not in QuickBooks yet, with their
-- payments and credit notes (validate looks each invoice's number up in QuickBooks first,
-- so one already there is never doubled). Written to the audit trail; returns per entity
-- how many records were asked for.
WITH invoices AS (
    SELECT i.id
    FROM billing.invoices AS i
    LEFT JOIN qbo_sync.entity_map AS m
           ON m.tenant_id = i.tenant_id AND m.entity = 'invoice' AND m.source_id = i.id
    WHERE i.tenant_id = %(tenant_id)s AND i.origin = 'app' AND i.status = 'finalized'
      AND i.finalized_at >= %(sync_from)s AND i.finalized_at < %(previous)s
      AND m.source_id IS NULL
), wanted AS (
    SELECT 'invoice' AS entity, id AS source_id FROM invoices
    UNION ALL
    SELECT 'payment', p.id
    FROM billing.payments AS p
    LEFT JOIN qbo_sync.entity_map AS m
           ON m.tenant_id = p.tenant_id AND m.entity = 'payment' AND m.source_id = p.id
    WHERE p.tenant_id = %(tenant_id)s AND p.origin = 'app' AND p.voided_at IS NULL
      AND p.invoice_id IN (SELECT id FROM invoices) AND m.source_id IS NULL
    UNION ALL
    SELECT 'credit_memo', n.id
    FROM billing.credit_notes AS n
    LEFT JOIN qbo_sync.entity_map AS m
           ON m.tenant_id = n.tenant_id AND m.entity = 'credit_memo' AND m.source_id = n.id
    WHERE n.tenant_id = %(tenant_id)s AND n.status = 'finalized'
      AND n.invoice_id IN (SELECT id FROM invoices) AND m.source_id IS NULL
), requested AS (
    INSERT INTO qbo_sync.record_controls AS rc
        (tenant_id, entity, source_id, resync_requested_at, note, updated_by, updated_at)
    SELECT %(tenant_id)s, w.entity, w.source_id, now(), %(note)s, %(requested_by)s, now()
    FROM wanted AS w
    ON CONFLICT (tenant_id, entity, source_id) DO UPDATE SET
        resync_requested_at = now(), note = EXCLUDED.note,
        updated_by = EXCLUDED.updated_by, updated_at = now()
    WHERE NOT rc.excluded
    RETURNING rc.entity, rc.source_id
), logged AS (
    INSERT INTO qbo_sync.record_actions (tenant_id, entity, source_id, action, requested_by, note)
    SELECT %(tenant_id)s, r.entity, r.source_id, 'resync', %(requested_by)s, %(note)s
    FROM requested AS r
)
SELECT entity, count(*) FROM requested GROUP BY entity ORDER BY entity;
