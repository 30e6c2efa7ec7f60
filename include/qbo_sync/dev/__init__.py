"""Developer tooling: the local environment, `make demo` and `make bench`. Not used in production."""
