-- Benchmarks: the PostgreSQL server's version, for the machine description.
SELECT current_setting('server_version');
