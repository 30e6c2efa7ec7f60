-- Fleet benchmark: one app payment per tenant, in full, on its first held-back invoice,
-- recorded at %(held_at)s (outside the warm-up's window).
INSERT INTO billing.payments (tenant_id, invoice_id, amount, paid_at, method, reference, created_at)
SELECT DISTINCT ON (i.tenant_id) i.tenant_id, i.id, i.total, %(held_at)s, 'card', 'FLEET-' || i.id, %(held_at)s
FROM billing.invoices AS i
WHERE i.id = ANY(%(invoice_ids)s)
ORDER BY i.tenant_id, i.id
RETURNING tenant_id, id;
