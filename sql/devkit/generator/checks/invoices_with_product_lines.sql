SELECT DISTINCT l.invoice_id AS id
FROM billing.invoice_lines AS l
JOIN billing.invoices AS i ON i.id = l.invoice_id
JOIN billing.catalog_items AS c ON c.id = l.item_id
WHERE i.tenant_id = %(tenant_id)s AND c.kind = 'product'
ORDER BY 1;
