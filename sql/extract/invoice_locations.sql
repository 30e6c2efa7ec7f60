-- The billing app's location of each invoice (null when it names none).
SELECT i.id, i.location
FROM billing.invoices AS i
WHERE i.id = ANY(%(invoice_ids)s) AND i.location IS NOT NULL AND btrim(i.location) <> '';
