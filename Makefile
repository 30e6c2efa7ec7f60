# Two commands for a newcomer: `make demo` and `make test`. Each creates or reuses
# .venv and needs nothing else installed or running (see README, "Configuration").
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Any CPython from 3.11 to 3.14: Airflow 3.3.2 runs on 3.10-3.14, and pandas 3 and numpy 2.4
# (and our datetime.UTC) need 3.11. The embedded PostgreSQL wheel is py3-none, so any of them
# will do. Take `python3` if it is one of those, else the newest installed one that really runs
# (a pyenv shim can exist for a version that is not selected).
PY_SUPPORTED := import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 14))
PY_REFUSED = Python 3.11, 3.12, 3.13 or 3.14 is required (Airflow 3.3.2 supports 3.10-3.14; pandas 3 needs 3.11)
PYTHON ?= $(shell for p in python3 python3.14 python3.13 python3.12 python3.11; do \
	  $$p -c '$(PY_SUPPORTED)' >/dev/null 2>&1 && { command -v $$p; exit 0; }; done; command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed

export QBO_SYNC_HOME := $(CURDIR)
export AIRFLOW_HOME ?= $(CURDIR)/.local/airflow
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__PLUGINS_FOLDER := $(CURDIR)/plugins
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export PYTHONPATH := $(CURDIR)/include:$(CURDIR)/plugins
export GX_ANALYTICS_ENABLED := False
export PATH := $(BIN):$(PATH)

PYTEST_ARGS ?=

.PHONY: help venv browser redis db demo test test-slow lint airflow emulator bench stop clean

help:
	@echo "make demo      generate demo data, start the QuickBooks emulator, run the qbo_sync DAG once"
	@echo "make test      ruff (lint and format check), then the whole test suite (what CI runs)"
	@echo "make airflow   airflow standalone on http://localhost:8080 with the same databases"
	@echo "make emulator  run the QuickBooks emulator on 127.0.0.1:8765"
	@echo "make bench     benchmarks (writes bench/results/)"
	@echo "make db        start the database if embedded, apply migrations, print its URL"
	@echo "make stop      stop the embedded PostgreSQL"
	@echo "make clean     stop and delete .local/ (embedded database, Airflow state, keys)"

venv: $(STAMP)

# Reinstall when the pins change; the stamp makes repeated runs instant.
$(STAMP): requirements.txt constraints.txt
	@test -x $(BIN)/python || { $(PYTHON) -c '$(PY_SUPPORTED)' 2>/dev/null || { \
	  echo "$(PY_REFUSED); '$(PYTHON)' is $$($(PYTHON) --version 2>&1). Install one and run: make PYTHON=python3.13 $(MAKECMDGOALS)"; \
	  exit 1; }; $(PYTHON) -m venv $(VENV); }
	@$(BIN)/python -c '$(PY_SUPPORTED)' || { \
	  echo "$(PY_REFUSED); $(VENV) was made with $$($(BIN)/python --version 2>&1). Run: rm -rf $(VENV) && make PYTHON=python3.13 $(MAKECMDGOALS)"; \
	  exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	@touch $(STAMP)

db: venv
	$(BIN)/python -m qbo_sync.db migrate
	@$(BIN)/python -m qbo_sync.db url

demo: venv
	$(BIN)/python -m qbo_devkit.demo

# The UI test drives Debian's Chromium headless (no browser download is possible here).
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  (apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null) || \
	  { echo "Install Chromium and its driver (Debian: apt-get install chromium chromium-driver) for the UI test"; exit 1; }

# The CeleryExecutor test needs a Redis: the one on 127.0.0.1:6379 if it answers, else it
# starts Debian's redis-server itself (installed here like Chromium).
redis:
	@command -v redis-server >/dev/null || \
	  (apt-get update -qq && apt-get install -y -qq redis-server >/dev/null) || \
	  { echo "Install redis-server (Debian: apt-get install redis-server) for the CeleryExecutor test"; exit 1; }

# The live-cluster suites (a real scheduler with its workers, most of their time spent waiting
# for QuickBooks' per-minute limits and for the scheduler's loop) run in a second pytest process
# beside the rest, with their own database, Airflow home and emulator as every session has;
# their log is printed after the main run's, and either failing fails `make test`.
# `make test PYTEST_ARGS=...` runs what you name, in one process.
CLUSTER_SUITES := tests/system/test_tenant_isolation.py tests/system/test_celery_executor.py
CLUSTER_LOG := .local/test-cluster-suites.log
# The main suites run in TEST_WORKERS processes (pytest-xdist), a test file per worker at a time
# (module fixtures are built once); each worker has its own database, Airflow home and emulator.
# Most tests wait (HTTP, subprocesses, Airflow's loop), so 4 keep 2 cores busy.
TEST_WORKERS ?= 4

test: venv browser redis lint
ifeq ($(strip $(PYTEST_ARGS)),)
	@mkdir -p .local; $(BIN)/python -m qbo_sync.db url >/dev/null  # start the embedded server once
	@$(BIN)/python -m pytest $(CLUSTER_SUITES) >$(CLUSTER_LOG) 2>&1 & cluster=$$!; \
	  $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(addprefix --ignore=,$(CLUSTER_SUITES)); main=$$?; \
	  wait $$cluster; clustered=$$?; \
	  echo "==================== live-cluster suites ($(CLUSTER_SUITES)) ===================="; \
	  cat $(CLUSTER_LOG); \
	  echo "main suites: exit $$main; live-cluster suites: exit $$clustered"; \
	  exit $$(( main != 0 ? main : clustered ))
else
	$(BIN)/python -m pytest $(PYTEST_ARGS)
endif

# ruff (configured in pyproject.toml): lint, and the format check; `$(BIN)/ruff format .` formats.
lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test-slow: venv browser redis
	$(BIN)/python -m pytest --runslow $(PYTEST_ARGS)

airflow: venv
	$(BIN)/python -m qbo_devkit.standalone

emulator: venv
	$(BIN)/python -m qbo_emulator --host 127.0.0.1 --port 8765

bench: venv
	$(BIN)/python -m qbo_devkit.bench

stop: venv
	-$(BIN)/python -m qbo_sync.db stop

clean: stop
	rm -rf .local
