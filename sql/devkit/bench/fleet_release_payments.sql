-- Fleet benchmark: the held-back app payments recorded inside the measured run's interval.
UPDATE billing.payments SET created_at = %(new_at)s, paid_at = %(new_at)s WHERE id = ANY(%(payment_ids)s);
