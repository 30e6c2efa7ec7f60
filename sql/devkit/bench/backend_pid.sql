-- Benchmarks: this connection's server process, whose CPU time is read from /proc.
SELECT pg_backend_pid();
