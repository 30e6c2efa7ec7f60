-- Edits after sync (issue 18 item 3): what the app record looked like when the sync last
-- wrote it to QuickBooks, so that a later change in the app is noticed and sent as an update.
-- Payments have no updated_at in the billing app: a payment is staged again whenever its
-- amount, date, reference or invoice differ from this recorded state (whatever the run's
-- window), and the update's outcome says what changed. A credit memo records its total and
-- invoice (a change re-applies its credit). NULL: not recorded (a record linked by hand), so
-- nothing is inferred from it.
ALTER TABLE qbo_sync.entity_map ADD COLUMN source_state jsonb;

-- The one definition of a payment's state, used by staging and by the write that records it.
-- The date is kept as epoch seconds, so the session's time zone never makes a false change.
CREATE FUNCTION qbo_sync.payment_state(amount numeric, paid_at timestamptz, reference text, invoice_id bigint)
RETURNS jsonb
LANGUAGE sql IMMUTABLE
AS $$
    SELECT jsonb_build_object(
        'amount', amount,
        'paid_at', extract(epoch FROM paid_at),
        'reference', reference,
        'invoice_id', invoice_id)
$$;

-- Payments and credit memos synced before this migration: the app and QuickBooks agreed when
-- they were sent, and no edit could reach QuickBooks until now, so their present state is the
-- one QuickBooks has (an app edit made before this migration is not seen; the reconciliation
-- compares the two books).
UPDATE qbo_sync.entity_map AS m
SET source_state = qbo_sync.payment_state(p.amount, p.paid_at, p.reference, p.invoice_id)
FROM billing.payments AS p
WHERE m.entity = 'payment' AND m.source_id = p.id AND m.tenant_id = p.tenant_id
  AND m.source_state IS NULL AND m.payload_hash IS DISTINCT FROM 'voided';

UPDATE qbo_sync.entity_map AS m
SET source_state = jsonb_build_object('total', n.total, 'invoice_id', n.invoice_id)
FROM billing.credit_notes AS n
WHERE m.entity = 'credit_memo' AND m.source_id = n.id AND m.tenant_id = n.tenant_id
  AND m.source_state IS NULL;
