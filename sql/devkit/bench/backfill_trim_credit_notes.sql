-- Backfill benchmark: each tenant keeps its first %(keep)s finalized credit notes (by id), the
-- section's size; drafts, voided ones and the rest are removed with their lines before the run.
WITH extra AS (
    SELECT id FROM (
        SELECT id, status, row_number() OVER (PARTITION BY tenant_id, status = 'finalized' ORDER BY id) AS n
        FROM billing.credit_notes
    ) AS ranked
    WHERE status <> 'finalized' OR n > %(keep)s
), gone_lines AS (
    DELETE FROM billing.credit_note_lines WHERE credit_note_id IN (SELECT id FROM extra)
)
DELETE FROM billing.credit_notes WHERE id IN (SELECT id FROM extra);
