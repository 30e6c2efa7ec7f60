SELECT id, invoice_id, position, item_id, quantity, unit_price, discount_kind, discount_value,
       tax_rate_id, amount
FROM billing.invoice_lines
ORDER BY invoice_id, position;
