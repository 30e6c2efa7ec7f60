-- Seeds: "Create failed: Required param missing" (an invoice without line items).
SELECT i.id
FROM billing.invoices AS i
WHERE i.status = 'finalized'
  AND NOT EXISTS (SELECT 1 FROM billing.invoice_lines AS l WHERE l.invoice_id = i.id)
ORDER BY i.id;
