-- Chaos checks: every finalized credit note.
SELECT n.tenant_id, n.id, n.invoice_id, n.total
FROM billing.credit_notes AS n
WHERE n.status = 'finalized'
ORDER BY n.id;
