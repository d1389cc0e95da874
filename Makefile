# The two commands of a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test lint fmt install migrate demo clean messages bench

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
