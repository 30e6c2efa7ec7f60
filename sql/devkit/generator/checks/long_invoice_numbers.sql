-- QuickBooks' DocNumber holds at most 21 characters.
SELECT id FROM billing.invoices
WHERE status = 'finalized' AND length(number) > 21
ORDER BY id;
