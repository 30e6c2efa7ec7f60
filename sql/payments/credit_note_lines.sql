-- The lines of some credit notes, with the catalog item of the invoice line each credits (a
-- credit note line carries no item of its own in the source contract: invoice_line_id links it
-- to the line it credits, whose item_id names the catalog item), for the item policy.
SELECT l.credit_note_id, l.id, l.description, l.amount, l.tax_rate_id,
       il.item_id, ci.name AS item_name
FROM billing.credit_note_lines AS l
JOIN billing.credit_notes AS n ON n.id = l.credit_note_id
LEFT JOIN billing.invoice_lines AS il ON il.id = l.invoice_line_id AND il.invoice_id = n.invoice_id
LEFT JOIN billing.catalog_items AS ci ON ci.id = il.item_id AND ci.tenant_id = n.tenant_id
WHERE l.credit_note_id = ANY(%(ids)s)
ORDER BY l.credit_note_id, l.id;
