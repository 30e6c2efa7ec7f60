COPY billing.invoice_lines (id, invoice_id, position, item_id, description, quantity, unit_price,
                            discount_kind, discount_value, tax_rate_id, amount) FROM STDIN
