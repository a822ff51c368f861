# Spring City Cloud — the two commands a fresh machine needs are `make run` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test test-sqlite test-postgres lint bench clean

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	touch $(STAMP)

run: install
	$(BIN)/python main.py

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy .

# The whole suite runs twice: on SQLite (the embedded default) and on PostgreSQL; both run even when the
# first fails, so that one CI log tells the whole story.
test: install lint
	@status=0; $(MAKE) --no-print-directory test-sqlite || status=1; \
	$(MAKE) --no-print-directory test-postgres || status=1; exit $$status

test-sqlite: install
	$(BIN)/python -m pytest -q

test-postgres: install
	SCC_TEST_DB=postgresql $(BIN)/python -m pytest -q

bench: install
	@for script in bench/*.py; do \
		case $$script in bench/_*) continue;; esac; \
		echo "== $$script"; $(BIN)/python $$script --quick || exit 1; \
	done

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
