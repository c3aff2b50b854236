# Kapwa developer tasks (GNU make).
#
#   make run            install into .venv and serve the demo on http://127.0.0.1:8000
#   make test           the whole suite on SQLite, then again on a throwaway PostgreSQL
#   make test-sqlite    only the SQLite run       (PYTEST_ARGS="-k inbox" to narrow down)
#   make test-postgres  only the PostgreSQL run
#   make lint           ruff
#   make bench          run every bench/*.py
#   make clean          remove caches, build output and install stamps (keeps .venv and data/)
#   make distclean      clean, and remove .venv too
#
# Variables: PYTHON (to create the venv, default python3), PYTEST_WORKERS (xdist workers for the
# SQLite run, default 2; 0 runs in one process), PYTEST_ARGS (extra pytest arguments),
# KAPWA_DATA_DIR (for `make run`, default data).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?=
KAPWA_DATA_DIR ?= data

# Browser tests drive Debian's /usr/bin/chromium; nothing here runs `playwright install`.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# Test runs must not pick up a developer's Kapwa configuration from the environment.
TEST_ENV := env -u KAPWA_CONFIG -u KAPWA_DATABASE_URL -u KAPWA_REDIS_URL -u KAPWA_DATA_DIR

.PHONY: help run install install-dev system-deps test test-sqlite test-postgres lint bench clean distclean

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

# --------------------------------------------------------------------------------------- environment

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Stamps: reinstall only when pyproject.toml changes (or the venv is recreated).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

system-deps:
	scripts/install-system-deps.sh
	scripts/install-synapse.sh

# ----------------------------------------------------------------------------------------------- run

run: $(VENV)/.installed
	KAPWA_DATA_DIR=$(KAPWA_DATA_DIR) $(BIN)/kapwa serve --demo

# --------------------------------------------------------------------------------------------- tests

PYTEST_SQLITE := $(TEST_ENV) -u KAPWA_TEST_DATABASE_URL $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup
# One shared database: no xdist workers, no random ordering.
PYTEST_POSTGRES := $(TEST_ENV) $(BIN)/python -m tests.support.services postgres -- \
	$(BIN)/pytest -p no:randomly -n 0

# Both runs happen even when the first fails; `make test` fails if either did.
test: $(VENV)/.installed-dev system-deps
	@echo "=== test suite on SQLite ==="
	sqlite=0; $(PYTEST_SQLITE) $(PYTEST_ARGS) || sqlite=$$?; \
	echo "=== test suite on PostgreSQL ==="; \
	postgres=0; $(PYTEST_POSTGRES) $(PYTEST_ARGS) || postgres=$$?; \
	echo "=== SQLite: $$([ $$sqlite = 0 ] && echo passed || echo "FAILED ($$sqlite)")," \
	     "PostgreSQL: $$([ $$postgres = 0 ] && echo passed || echo "FAILED ($$postgres)") ==="; \
	[ $$sqlite = 0 ] && [ $$postgres = 0 ]

test-sqlite: $(VENV)/.installed-dev system-deps
	$(PYTEST_SQLITE) $(PYTEST_ARGS)

test-postgres: $(VENV)/.installed-dev system-deps
	$(PYTEST_POSTGRES) $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check kapwa tests

BENCHES := $(sort $(wildcard bench/*.py))

bench: $(VENV)/.installed-dev system-deps
	@if [ -z "$(BENCHES)" ]; then echo "no bench/*.py"; fi
	@set -e; for script in $(BENCHES); do \
		echo "=== $$script ==="; \
		$(TEST_ENV) $(BIN)/python "$$script"; \
	done

# --------------------------------------------------------------------------------------------- clean

clean:
	rm -rf .pytest_cache .ruff_cache build dist .services test-artifacts *.egg-info
	rm -f $(VENV)/.installed $(VENV)/.installed-dev
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
