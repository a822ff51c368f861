# Spring City Cloud — the two commands a fresh machine needs are `make run` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime-installed
DEV := $(VENV)/.dev-installed

.PHONY: help install install-dev run test test-sqlite test-postgres lint fix bench clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F '\t' '{printf "  make %-14s %s\n", $$1, $$2}'

install: $(RUNTIME)  ## install what the app needs to run (requirements.lock)

install-dev: $(DEV)  ## add the test and lint tools (requirements-dev.lock)

$(RUNTIME): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	touch $(RUNTIME)

$(DEV): $(RUNTIME) requirements-dev.lock
	$(BIN)/pip install --quiet -r requirements-dev.lock
	touch $(DEV)

run: install  ## install and run the app on the embedded default (SQLite, in-process bus) at :8080
	$(BIN)/python main.py

lint: install-dev  ## format check, lint, types (mypy strict on services/ and models/)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy .
	$(BIN)/mypy --strict services models

fix: install-dev  ## format and fix what ruff can
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The whole suite runs twice: on SQLite (the embedded default) and on PostgreSQL; both run even when the
# first fails, so that one CI log tells the whole story.
test: install-dev lint  ## install the test tools; lint + the whole suite on SQLite, then on PostgreSQL
	@status=0; $(MAKE) --no-print-directory test-sqlite || status=1; \
	$(MAKE) --no-print-directory test-postgres || status=1; exit $$status

test-sqlite: install-dev  ## the suite on SQLite
	$(BIN)/python -m pytest -q

test-postgres: install-dev  ## the suite on PostgreSQL (127.0.0.1:5432, database test)
	SCC_TEST_DB=postgresql $(BIN)/python -m pytest -q

bench: install-dev  ## the benchmarks, quick sizes (figures in docs/benchmarks.md)
	@for script in bench/fanout.py bench/pages.py bench/healthcode.py bench/reservations.py bench/clinic.py \
		bench/comments.py; do \
		echo "== $$script"; $(BIN)/python $$script --quick || exit 1; \
	done

clean:  ## remove the virtual environment, local data and caches
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
