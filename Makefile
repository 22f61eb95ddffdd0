# Two commands on a fresh machine: `make pack` builds the review pack on the synthetic data,
# `make test` runs the whole test suite. Both create .venv and install what they need.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The DfE's 903 rules come from the Data to Insight validator (csc-validator-be-903), which pins
# pandas < 2 and numpy < 1.25: it gets its own environment, run in a subprocess (analysis.checks.dfe_rules).
# numpy 1.24 has wheels up to Python 3.11 only.
DFE_PYTHON ?= $(shell command -v python3.11 || command -v python3.10 || command -v python3.9 || echo python3.11)
DFE_VENV ?= .venv-dfe
DFE_STAMP := $(DFE_VENV)/.installed
export REVIEW_PACK_DFE_PYTHON := $(abspath $(DFE_VENV))/bin/python
PERIOD ?=
DATA ?=

.PHONY: help install browser pack test lint lab lab-workspace docs validate lock lock-dfe bench clean

help:
	@echo "make pack      build the review pack on the synthetic data (outputs/latest/index.html)"
	@echo "make test      run the whole test suite (unit tests and one end-to-end build)"
	@echo "make lab       JupyterLab on your own copy of the exploration notebook: make lab DATA=path/to/folder PERIOD=2024-03"
	@echo "make docs      the API reference from the docstrings (docs/api/) and docs/metrics.md"
	@echo "make validate  check an input folder: make validate DATA=path/to/folder"
	@echo "make lint      ruff"
	@echo "make bench     run the benchmarks in benchmarks/"

$(STAMP): pyproject.toml requirements/constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c requirements/constraints.txt -e ".[dev]"
	touch $(STAMP)

$(DFE_STAMP): requirements/dfe-constraints.txt
	@command -v $(DFE_PYTHON) >/dev/null 2>&1 || { echo "The DfE validator needs Python 3.9 to 3.11 (numpy < 1.25): install python3.11, or set DFE_PYTHON=/path/to/python3.11" >&2; exit 1; }
	test -x $(DFE_VENV)/bin/python || $(DFE_PYTHON) -m venv $(DFE_VENV)
	$(DFE_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -c requirements/dfe-constraints.txt csc-validator-be-903
	touch $(DFE_STAMP)

install: $(STAMP) $(DFE_STAMP)

pack: install browser
	$(VENV)/bin/review-pack build $(if $(DATA),--data $(DATA)) $(if $(PERIOD),--period $(PERIOD))

# The browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Install Chromium first: sudo apt-get install chromium" >&2; exit 1; fi; }

# axe-core (the accessibility checker the browser tests run), pinned in package-lock.json.
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm is needed for the accessibility tests: apt-get install npm" >&2; exit 1; }
	npm ci --no-audit --no-fund --silent
	touch $(NODE_STAMP)

test: install browser $(NODE_STAMP)
	REVIEW_PACK_REQUIRE_DFE=1 $(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check src tests benchmarks

# JupyterLab for analysts. It opens at the repository root (data/local/, outputs/analyst/ and notebooks/
# are all within reach) on work/explore.ipynb: a git-ignored copy of notebooks/explore/explore.ipynb with
# its parameters set to DATA and PERIOD (default: the synthetic data; an empty PERIOD means the latest month
# in the data). An existing copy is kept: with DATA or PERIOD it is renamed explore-<time>.ipynb first.
# jupyter_server_config.py strips the outputs of any notebook saved under notebooks/.
WORK ?= work
LAB_DATA = $(abspath $(or $(DATA),data/synthetic))

lab: install lab-workspace
	$(VENV)/bin/jupyter lab --config=jupyter_server_config.py --ServerApp.root_dir=$(CURDIR) \
	  $(if $(filter 0,$(shell id -u)),--allow-root) $(WORK)/explore.ipynb

lab-workspace:
	@mkdir -p $(WORK)
	@test -n "$(DATA)" || test -d data/synthetic || $(VENV)/bin/review-pack synth
	@if [ -e $(WORK)/explore.ipynb ] && [ -z "$(DATA)$(PERIOD)" ]; then \
	  echo "Opening your $(WORK)/explore.ipynb as you left it (make lab DATA=... PERIOD=... starts a fresh copy)"; \
	else \
	  if [ -e $(WORK)/explore.ipynb ]; then \
	    kept=$(WORK)/explore-$$(date +%Y%m%dT%H%M%S).ipynb; mv $(WORK)/explore.ipynb $$kept; echo "Kept your last copy as $$kept"; \
	  fi; \
	  $(PY) -m papermill --prepare-only --log-level WARNING notebooks/explore/explore.ipynb $(WORK)/explore.ipynb \
	    -r data_dir "$(LAB_DATA)" -r period "$(if $(or $(DATA),$(PERIOD)),$(PERIOD),2024-03)" && \
	  echo "Wrote $(WORK)/explore.ipynb for $(LAB_DATA) $(PERIOD)"; \
	fi

# The API reference, generated from the docstrings by pdoc (a dev dependency: no configuration, works
# offline, one command) into docs/api/: every module but the synthetic-data generator and the 903 rules'
# internals (PYTHONHASHSEED=0: sets print in a fixed order, so the pages are the same each time). Then docs/metrics.md, each metric linked to the functions that compute it.
docs: install
	$(VENV)/bin/review-pack docs
	rm -rf docs/api
	PYTHONHASHSEED=0 $(PY) -m pdoc --no-show-source --no-search --docformat markdown -o docs/api analysis '!analysis.synth' '!analysis.checks.rules'

validate: install
	$(VENV)/bin/review-pack validate $(if $(DATA),--data $(DATA))

bench: install
	$(PY) benchmarks/run.py

lock: install
	(head -n 2 requirements/constraints.txt; $(PY) -m pip freeze --exclude-editable | grep -v '^review-pack') > requirements/constraints.tmp
	mv requirements/constraints.tmp requirements/constraints.txt

# The DfE validator's environment: a fresh venv, so the freeze holds only what it needs.
lock-dfe:
	rm -rf $(DFE_VENV).lock && $(DFE_PYTHON) -m venv $(DFE_VENV).lock
	$(DFE_VENV).lock/bin/python -m pip install --quiet --disable-pip-version-check csc-validator-be-903==$$(sed -n 's/^csc-validator-be-903==//p' requirements/dfe-constraints.txt)
	(head -n 3 requirements/dfe-constraints.txt; $(DFE_VENV).lock/bin/python -m pip freeze) > requirements/dfe-constraints.tmp
	mv requirements/dfe-constraints.tmp requirements/dfe-constraints.txt
	rm -rf $(DFE_VENV).lock

clean:
	rm -rf $(VENV) $(DFE_VENV) node_modules outputs/*/ outputs/latest outputs/.staging-* data/synthetic data/national
