-- Fleet benchmark: every generated credit note changed before the measured run's interval.
UPDATE billing.credit_notes SET updated_at = LEAST(updated_at, %(before)s);
