-- Fleet benchmark: every generated invoice changed before the measured run's interval.
UPDATE billing.invoices SET updated_at = LEAST(updated_at, %(before)s);
