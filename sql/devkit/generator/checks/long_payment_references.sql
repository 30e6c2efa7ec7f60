-- Seeds (Workiz): payment confirmation codes over 21 characters.
SELECT id FROM billing.payments WHERE length(reference) > 21 ORDER BY id;
