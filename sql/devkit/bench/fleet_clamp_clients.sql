-- Fleet benchmark: every generated client changed before the measured run's interval.
UPDATE billing.clients SET updated_at = LEAST(updated_at, %(before)s);
