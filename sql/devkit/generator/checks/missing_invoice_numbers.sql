SELECT id FROM billing.invoices
WHERE status = 'finalized' AND coalesce(btrim(number), '') = ''
ORDER BY id;
