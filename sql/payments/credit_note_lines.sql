SELECT l.credit_note_id, l.id, l.description, l.amount, l.tax_rate_id
FROM billing.credit_note_lines AS l
WHERE l.credit_note_id = ANY(%(ids)s)
ORDER BY l.credit_note_id, l.id;
