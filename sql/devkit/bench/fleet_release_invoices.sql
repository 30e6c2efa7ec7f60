-- Fleet benchmark: the held-back invoices changed inside the measured run's interval.
UPDATE billing.invoices SET updated_at = %(new_at)s WHERE id = ANY(%(invoice_ids)s);
