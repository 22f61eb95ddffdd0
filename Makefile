# Two commands on a fresh machine: `make pack` builds the review pack on the synthetic data,
# `make test` runs the whole test suite. Both create .venv and install what they need.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PERIOD ?=
DATA ?=

.PHONY: help install browser pack test lint lab validate lock bench clean

help:
	@echo "make pack      build the review pack on the synthetic data (outputs/latest/index.html)"
	@echo "make test      run the whole test suite (unit tests and one end-to-end build)"
	@echo "make lab       open the notebooks in JupyterLab with the package importable"
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

lab: install
	$(VENV)/bin/jupyter lab notebooks/

validate: install
	$(VENV)/bin/review-pack validate $(if $(DATA),--data $(DATA))

bench: install
	$(PY) benchmarks/run.py

lock: install
	(head -n 2 requirements/constraints.txt; $(PY) -m pip freeze --exclude-editable | grep -v '^review-pack') > requirements/constraints.tmp
	mv requirements/constraints.tmp requirements/constraints.txt

clean:
	rm -rf $(VENV) node_modules outputs/*/ outputs/latest outputs/.staging-* data/synthetic data/national
