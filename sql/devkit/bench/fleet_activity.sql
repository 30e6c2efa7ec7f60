-- Fleet benchmark: client connections on the server now, per database.
SELECT datname, count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' GROUP BY datname;
