# Floorboard — two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
UV := $(PYTHON) -m uv
export DAGSTER_HOME := $(CURDIR)/.dagster
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)
DBT := $(VENV)/bin/dbt --no-use-colors
# the project's console command (pipelines/cli): `floorboard --help`
FLOORBOARD := $(VENV)/bin/floorboard
MANIFEST := dbt_project/target/manifest.json

.PHONY: run test test-fast test-faults install lint ui bench sample docs site clean

# install's recipe compiles the project's own modules as the installed packages are compiled
# (--compile-bytecode below): uv does not compile an editable install, so with
# PYTHONDONTWRITEBYTECODE set every process (each run, each `floorboard` command, each landing
# worker and run worker) compiled pipelines/ and schemas/ again, about 0.2 s of each (issue 13).
# compileall writes only what is missing or older than its source, and Python checks a .pyc
# against its source's time and size before using it. (tests/: pytest rewrites the test
# modules itself.)
## install: create .venv from uv.lock (bootstrapping uv with pip if missing), prepare dbt manifest
install: $(VENV)/.installed $(MANIFEST) $(DAGSTER_HOME)/dagster.yaml
	@$(VENV)/bin/python -m compileall -q pipelines schemas

# Dependency groups synced into .venv (`uv sync` removes the packages of groups not named).
# `make test UV_GROUPS="dev spark"` (what .ci/run does) adds pyspark + dbt-spark for the Spark
# test of the registry models (tests/test_registry_spark.py). .venv.groups remembers the groups:
# later `make` calls keep them (a plain `make install` does not remove pyspark once asked for),
# and naming other groups syncs again.
UV_GROUPS ?= $(or $(shell cat $(VENV).groups 2>/dev/null),dev)
$(VENV).groups: FORCE
	@echo "$(UV_GROUPS)" | cmp -s - $@ || echo "$(UV_GROUPS)" > $@

# --compile-bytecode: the .pyc of every installed module is written once, here. Without it a
# machine with PYTHONDONTWRITEBYTECODE set (this one, CI) compiles dagster, dbt, pandas… from
# source in every process: 8 s of each `floorboard run` and 1.5 s of each dbt call (issue 13).
$(VENV)/.installed: uv.lock pyproject.toml $(VENV).groups
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check "uv==0.13.9"
	$(UV) sync --frozen --compile-bytecode $(addprefix --group ,$(UV_GROUPS))
	@# the site's Vega bundle, made once for the installed vl-convert (pipelines/site/render.py)
	$(VENV)/bin/python -c "from pipelines.site.render import vega_bundle; vega_bundle()"
	@touch $@

.PHONY: FORCE
FORCE:

$(MANIFEST): $(VENV)/.installed $(shell find dbt_project -name '*.sql' -o -name '*.yml' -o -name '*.csv' | grep -v target/)
	cd dbt_project && ../$(DBT) parse --profiles-dir . --quiet
	@touch $@

$(DAGSTER_HOME)/dagster.yaml: dagster.yaml
	@mkdir -p $(DAGSTER_HOME)
	cp dagster.yaml $@

## run: install, materialize the whole asset graph on raw/, publish warehouse/floorboard.duckdb
run: install
	$(FLOORBOARD) run

## test: install and run the test suite (PYTEST_ARGS=... passes more arguments to pytest)
test: install
	$(FLOORBOARD) test $(PYTEST_ARGS)

## test-fast: the tests that run no whole pipeline and start no server (pytest -m "not slow")
test-fast: install
	$(FLOORBOARD) test -m "not slow" $(PYTEST_ARGS)

## test-faults: the fault-injection test alone, at every kill point (~3 min; make test runs it too)
test-faults: install
	FLOORBOARD_FAULT_POINTS=all $(VENV)/bin/python -m pytest -q -p no:randomly tests/test_fault_injection.py $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check pipelines schemas tests
	$(VENV)/bin/ruff format --check pipelines schemas tests
	@mkdir -p warehouse/build  # the dbt templater opens warehouse/build/floorboard.dev.duckdb
	cd dbt_project && ../$(VENV)/bin/sqlfluff lint models tests/singular

## ui: Dagster UI (webserver + daemon) on http://127.0.0.1:$(PORT) (make ui PORT=3001)
PORT ?= 3000
ui: install
	$(FLOORBOARD) ui --host 127.0.0.1 --port $(PORT)

## bench: cold and warm full materialization timings -> bench/results.json
bench: install
	$(VENV)/bin/python -m bench.run

## sample: regenerate the synthetic sample in raw/ (deterministic)
sample: install
	$(FLOORBOARD) sample --out raw

## site: rebuild the country pages (warehouse/site/) from the published warehouse
site: install
	$(FLOORBOARD) site

## docs: dbt documentation with the catalog of the published warehouse (a temporary copy of it)
docs: install
	$(VENV)/bin/python -m pipelines.warehouse.docs

clean:
	rm -rf warehouse/build warehouse/landing warehouse/site warehouse/floorboard.duckdb .dagster dbt_project/target
