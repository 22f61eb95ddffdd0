# Two commands on a fresh machine: `make pack` builds the review pack on the synthetic data,
# `make test` runs the whole test suite. Both create .venv and install what they need.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PERIOD ?=
DATA ?=

.PHONY: help install browser pack test lint lab lab-workspace docs validate lock bench clean

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

install: $(STAMP)

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
	$(PY) -m pytest

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
	PYTHONHASHSEED=0 $(PY) -m pdoc --no-show-source --no-search --docformat markdown -o docs/api analysis '!analysis.synth' '!analysis.rules'

validate: install
	$(VENV)/bin/review-pack validate $(if $(DATA),--data $(DATA))

bench: install
	$(PY) benchmarks/run.py

lock: install
	(head -n 2 requirements/constraints.txt; $(PY) -m pip freeze --exclude-editable | grep -v '^review-pack') > requirements/constraints.tmp
	mv requirements/constraints.tmp requirements/constraints.txt

clean:
	rm -rf $(VENV) node_modules outputs/*/ outputs/latest outputs/.staging-* data/synthetic data/national
