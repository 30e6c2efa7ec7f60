-- Of these staged credit notes, those whose application was deleted for a move of their invoice
-- and not yet made again (a run stopped in between; load/credit_moving.sql): the invoice and the
-- amount the application applied.
SELECT source_id,
       (source_state -> 'moving_with_invoice' ->> 'invoice_id')::bigint AS invoice_id,
       (source_state -> 'moving_with_invoice' ->> 'applied')::numeric AS applied
FROM qbo_sync.entity_map
WHERE tenant_id = %(tenant_id)s AND entity = 'credit_memo' AND source_id = ANY(%(ids)s::bigint[])
  AND source_state ? 'moving_with_invoice';
