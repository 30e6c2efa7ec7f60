-- Credit notes with the sum of their lines and their invoice's total.
SELECT cn.id, cn.tenant_id, cn.number, cn.invoice_id, cn.status, cn.total,
       coalesce((SELECT sum(l.amount) FROM billing.credit_note_lines AS l
                 WHERE l.credit_note_id = cn.id), 0) AS lines_total,
       i.total AS invoice_total
FROM billing.credit_notes AS cn
LEFT JOIN billing.invoices AS i ON i.id = cn.invoice_id
ORDER BY cn.id;
