-- Live-cluster tests: the client connections open on the server (those a restart cuts).
SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend';
