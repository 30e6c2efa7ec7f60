-- The app's own exchange rate of invoices (NULL: QuickBooks' rate for the date is used).
SELECT i.id, i.exchange_rate
FROM billing.invoices AS i
WHERE i.id = ANY(%(ids)s);
