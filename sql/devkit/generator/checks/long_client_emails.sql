SELECT id FROM billing.clients WHERE length(email) > 100 ORDER BY id;
