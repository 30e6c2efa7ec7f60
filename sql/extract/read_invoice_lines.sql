SELECT l.invoice_id, l.id, l.position, ci.kind AS item_kind, ci.name AS item_name,
       l.description, l.quantity, l.unit_price, l.discount_kind, l.discount_value,
       l.tax_rate_id, l.amount, l.item_id, ci.sku AS item_sku
FROM billing.invoice_lines AS l
LEFT JOIN billing.catalog_items AS ci ON ci.id = l.item_id
WHERE l.invoice_id = ANY(%(invoice_ids)s)
ORDER BY l.invoice_id, l.position, l.id;
