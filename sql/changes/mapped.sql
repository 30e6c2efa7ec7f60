-- Our map's rows for the QuickBooks objects a change-data-capture answer listed (a Payment may
-- be one of ours or a credit memo's application): the record,
-- the SyncToken our last write left, the fingerprint of what QuickBooks then held, and whether
-- the sync sent its content (a record linked by hand has no hash of what we sent, until our
-- first write; a change made in QuickBooks clears it too, with its fingerprint kept).
SELECT m.entity, m.source_id, m.qbo_id, m.sync_token, m.qbo_fingerprint,
       (m.payload_hash IS NOT NULL OR m.qbo_fingerprint IS NOT NULL) AS written
FROM qbo_sync.entity_map AS m
WHERE m.tenant_id = %(tenant_id)s
  AND (   (m.entity IN ('invoice', 'invoice_void') AND m.qbo_id = ANY(%(invoice_ids)s::text[]))
       OR (m.entity = 'customer' AND m.qbo_id = ANY(%(customer_ids)s::text[]))
       OR (m.entity = 'credit_memo' AND m.qbo_id = ANY(%(creditmemo_ids)s::text[]))
       OR (m.entity IN ('payment', 'credit_application') AND m.qbo_id = ANY(%(payment_ids)s::text[]))
       OR (m.entity = 'refund' AND m.qbo_id = ANY(%(refundreceipt_ids)s::text[])));
