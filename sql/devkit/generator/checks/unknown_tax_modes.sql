SELECT id FROM billing.invoices
WHERE tax_mode IS NULL OR tax_mode NOT IN ('exclusive', 'inclusive', 'none')
ORDER BY id;
