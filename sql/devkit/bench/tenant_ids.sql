-- Benchmarks: the tenants a generated dataset has, in id order.
SELECT id FROM billing.tenants ORDER BY id;
