# Энергокабинет — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/energokabinet_bench

.PHONY: run test e2e lint format bench load setup sysdeps static messages worker beat clean

## run: install everything, migrate, load the demo data and serve http://127.0.0.1:8000
run: setup static
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	@echo "Портал: http://$(HOST):$(PORT)/    Административная часть: http://$(HOST):$(PORT)/admin/"
	$(MANAGE) runserver $(HOST):$(PORT)

## test: the whole suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set, SQLite otherwise)
test: setup
	$(BIN)/pytest --create-db $(PYTEST_ARGS)

## e2e: only the browser journeys
e2e: setup
	$(BIN)/pytest --create-db tests/e2e $(PYTEST_ARGS)

## lint: ruff, as CI runs it
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## bench: benchmarks on PostgreSQL with seed_scale data; results in var/bench/results.json
bench: setup static
	@psql "$(dir $(BENCH_DATABASE_URL))postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='$(notdir $(BENCH_DATABASE_URL))'" | grep -q 1 \
		|| createdb --maintenance-db="$(dir $(BENCH_DATABASE_URL))postgres" "$(notdir $(BENCH_DATABASE_URL))"
	DATABASE_URL=$(BENCH_DATABASE_URL) $(MANAGE) migrate --noinput
	DATABASE_URL=$(BENCH_DATABASE_URL) $(MANAGE) seed_scale $(SCALE_ARGS)
	DATABASE_URL=$(BENCH_DATABASE_URL) DEBUG=false $(BIN)/python -m tests.bench.run $(BENCH)

## load: the load and fault test on PostgreSQL/Redis of its own (tests/load/run.py, docs/performance.md); results in
## var/load/<time>/. LOAD_SOURCE_DB=postgres://… copies a seed_scale database (read only) instead of seeding one;
## LOAD_ARGS="--phases smoke" for a one-minute try
load: setup $(VENV)/.load-installed
	$(BIN)/python -m tests.load.run $(if $(LOAD_SOURCE_DB),--source-db $(LOAD_SOURCE_DB)) $(LOAD_ARGS)

$(VENV)/.load-installed: requirements/load.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements/load.txt
	touch $@

## worker / beat: Celery processes (need REDIS_URL)
worker: setup
	$(BIN)/celery -A cms worker --queues default,mail,documents,imports,billing --loglevel=INFO
beat: setup
	$(BIN)/celery -A cms beat --loglevel=INFO --schedule=var/celerybeat-schedule

setup: sysdeps $(VENV)/.installed messages

sysdeps:
	@bash scripts/system-deps.sh

$(VENV)/.installed: requirements/base.txt requirements/dev.txt requirements/production.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements/dev.txt -r requirements/production.txt
	@mkdir -p var
	touch $@

static: $(VENV)/.installed
	@$(MANAGE) collectstatic --noinput -v 0

messages: $(VENV)/.installed
	@$(MANAGE) compilemessages --ignore=.venv --ignore=var -v 0

clean:
	rm -rf $(VENV) var/static var/bench var/screenshots
