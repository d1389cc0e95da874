# The two commands of a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test lint fmt install migrate demo clean messages bench test-scale deploy-up deploy-down

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	mkdir -p var
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py createcachetable

demo: migrate
	PORT=$(PORT) DEBUG=1 $(PY) manage.py seed_demo

run: demo
	DEBUG=1 $(PY) manage.py collectstatic --noinput --verbosity 0
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

# On PostgreSQL when DATABASE_URL is set, else SQLite (the PostgreSQL-only tests then skip, saying why).
test: install
	$(PY) -m pytest -n 2 -q -rs

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports

fmt: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) var

# After changing a translatable string: refresh the Arabic catalogue, translate, then compile (.mo is committed).
messages: install
	DEBUG=1 $(PY) manage.py makemessages -l ar --ignore ".venv/*" --ignore "var/*" --ignore "tests/*"
	DEBUG=1 $(PY) manage.py compilemessages -l ar --ignore ".venv/*"

# By hand, never in CI: ratios against baselines measured in the same run (docs/PERFORMANCE.md).
bench: install
	$(PY) bench/pos_bench.py

# The reference setup of PRODUCT.md section 11 (deploy/: two app servers behind nginx, pgbouncer, a PostgreSQL
# primary and streaming replica, Redis, SeaweedFS, two task workers), started, tested and stopped: tests/scale
# through it, then the PostgreSQL suites of locks, idempotency, exports and tasks through its pgbouncer.
SCALE_THROUGH_PGBOUNCER := tests/pos/test_concurrency.py tests/pos/test_sync_concurrency.py \
	tests/pos/test_returns_concurrency.py tests/test_idempotency.py tests/suppliers/test_exports.py \
	tests/workspaces/test_tasks.py tests/workspaces/test_tasks_concurrency.py tests/workspaces/test_routing.py
test-scale: install
	status=0; \
	deploy/up || { deploy/down; exit 1; }; \
	SCALE_URL=http://127.0.0.1:8080 $(PY) -m pytest -q -rs -p no:cacheprovider \
		tests/scale || status=1; \
	DATABASE_URL=postgres://postgres@127.0.0.1:6432/invoicing_pgbouncer DATABASE_POOLER=transaction \
		REQUIRE_POSTGRES=1 $(PY) -m pytest -q -rs -p no:cacheprovider $(SCALE_THROUGH_PGBOUNCER) || status=1; \
	deploy/down; exit $$status

deploy-up: install
	deploy/up

deploy-down:
	deploy/down
