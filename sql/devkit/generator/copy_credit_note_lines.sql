COPY billing.credit_note_lines (id, credit_note_id, invoice_line_id, description, amount, tax_rate_id)
FROM STDIN
