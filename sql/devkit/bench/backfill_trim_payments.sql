-- Backfill benchmark: each tenant keeps its first %(keep)s app payments that are not voided (by id),
-- the section's size; the others (and any refunds of theirs) are removed before the run.
WITH extra AS (
    SELECT id FROM (
        SELECT id, voided_at, row_number() OVER (PARTITION BY tenant_id, voided_at IS NULL ORDER BY id) AS n
        FROM billing.payments
        WHERE origin = 'app'
    ) AS ranked
    WHERE voided_at IS NOT NULL OR n > %(keep)s
), gone_refunds AS (
    DELETE FROM billing.refunds WHERE payment_id IN (SELECT id FROM extra)
)
DELETE FROM billing.payments WHERE id IN (SELECT id FROM extra);
