-- Fleet benchmark: every generated payment recorded (and voided) before the measured run's interval.
UPDATE billing.payments
SET created_at = LEAST(created_at, %(before)s), voided_at = LEAST(voided_at, %(before)s);
