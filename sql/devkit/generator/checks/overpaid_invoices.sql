-- Invoices whose payments (not voided) exceed total less finalized credit notes.
SELECT i.id
FROM billing.invoices AS i
WHERE coalesce((SELECT sum(p.amount) FROM billing.payments AS p
                WHERE p.invoice_id = i.id AND p.voided_at IS NULL), 0)
    > i.total - coalesce((SELECT sum(cn.total) FROM billing.credit_notes AS cn
                          WHERE cn.invoice_id = i.id AND cn.status = 'finalized'), 0)
ORDER BY i.id;
