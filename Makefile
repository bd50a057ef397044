# planlib: `make help` lists the targets. Each target installs what it needs on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEV_STAMP := $(VENV)/.installed-dev-stamp
DATA ?= data/sample
PERIOD ?= latest
OUT ?= reports
PORT ?= 8888
IP ?= 127.0.0.1

.DEFAULT_GOAL := help
.PHONY: help install install-dev test test-fast lint format reports sample-data lab benchmarks clean

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "planlib 需要 Python 3.11 或更高版本（当前：$$($(PYTHON) --version)）"; exit 1; }
	@bash tools/ensure-system-libs
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $(STAMP)

# the developer tools (pytest, ruff, mypy …) only for the targets that need them
$(DEV_STAMP): $(STAMP) pyproject.toml
	@bash tools/ensure-system-libs --dev
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(DEV_STAMP)

install: $(STAMP) ## create .venv and install planlib with its dependencies (then: source .venv/bin/activate)

install-dev: $(DEV_STAMP) ## install also the developer tools (tests, lint, benchmarks)

test: $(DEV_STAMP) ## lint, type-check and run every test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

test-fast: $(DEV_STAMP) ## lint and run the tests without kernels, PDFs, Dask or the full sample city (about a minute)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -m "not slow" -n 2

lint: test

format: $(DEV_STAMP) ## format and fix what ruff can
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

$(DATA)/.complete:
	$(MAKE) $(STAMP)
	$(BIN)/planlib sample-data $(DATA)
	@touch $@

sample-data: $(STAMP) $(DATA)/.complete ## write the sample city's returns to data/sample (once)

reports: $(STAMP) $(DATA)/.complete ## render all county, department and city reports for the latest period into reports/
	$(BIN)/planlib report --data $(DATA) --period $(PERIOD) --out $(OUT) --format html,pdf

lab: $(STAMP) $(DATA)/.complete ## start JupyterLab on the notebooks (PORT=8888 IP=127.0.0.1; IP=0.0.0.0 to reach it from another machine)
	$(BIN)/jupyter lab notebooks/ --port=$(PORT) --ip=$(IP) $$( [ "$$(id -u)" -eq 0 ] && echo --allow-root )

benchmarks: $(DEV_STAMP) ## run the benchmarks and print the measured ratios
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean: ## remove generated reports and caches (keeps .venv)
	rm -rf reports/*.html reports/*.pdf reports/*.ipynb reports/*.json reports/*.log .pytest_cache .mypy_cache .ruff_cache
