# Two commands on a fresh machine: `make demo` and `make test`. Everything else is here for developers.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install demo test lint bench clean stop chromium stack stack-stop stack-status

$(INSTALLED): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev,celery]" 2>&1 \
		| grep -v "is ignored: it is neither a file nor a directory" || true
	@$(BIN)/python -c "import gender_warehouse, airflow, dbt, great_expectations" >/dev/null 2>&1 \
		|| { echo "installation failed: see the pip output above"; exit 1; }
	@touch $@

# The dbt manifest Airflow renders its tasks from, built ahead of time (never at DAG parse time).
MANIFEST := dbt_project/target/manifest.json
DBT_SOURCES := $(shell find dbt_project -path dbt_project/target -prune -o -type f \( -name '*.sql' -o -name '*.yml' -o -name '*.csv' \) -print)

$(MANIFEST): $(INSTALLED) $(DBT_SOURCES)
	$(BIN)/gwh build --parse-only

install: $(INSTALLED) $(MANIFEST)

# The sample submissions through the real DAGs (ingest_submissions, then build_warehouse), into GWH_DATABASE_URL
# or the embedded PostgreSQL under .gwh/; then the published figures beside the marts' values.
demo: install
	scripts/demo.sh

# The dashboard's pages are tested in headless Chromium (Debian's package), installed here when missing.
chromium:
	@command -v chromium >/dev/null || { echo "installing Debian's chromium for the dashboard tests"; \
		apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium; }; }

test: install chromium
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

# Ingest (1M rows against psql \copy; a 1,000-row file), then the incremental build over 10M raw rows (`gwh build`
# and the build_warehouse DAG against a full build): about 12 minutes on 2 cores.
bench: install
	$(BIN)/python benchmarks/ingest_benchmark.py
	$(BIN)/python benchmarks/build_benchmark.py

# The real Airflow services on this machine, for a team (README: "Run it for a team"); the same GWH_* settings.
stack: install
	$(BIN)/gwh stack start

stack-stop:
	$(BIN)/gwh stack stop

stack-status:
	$(BIN)/gwh stack status

stop:
	-$(BIN)/gwh db stop

clean: stop
	rm -rf .gwh reports
