-- Invoices whose client does not exist in the invoice's tenant.
SELECT i.id FROM billing.invoices AS i
WHERE NOT EXISTS (SELECT 1 FROM billing.clients AS c
                  WHERE c.id = i.client_id AND c.tenant_id = i.tenant_id)
ORDER BY i.id;
