-- QuickBooks RefundReceipts this sync wrote, by Id (our map of app refunds sent).
SELECT qbo_id FROM qbo_sync.entity_map
WHERE tenant_id = %(tenant_id)s AND entity = 'refund' AND qbo_id = ANY(%(qbo_ids)s);
