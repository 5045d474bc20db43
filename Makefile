# Two commands: `make run` (set up and start the server) and `make test` (set up and pass every test).
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
NODE_DIR := tests/e2e/node

.PHONY: run test test-fast lint bench soak screenshots install dev-install test-deps clean

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed

dev-install: $(VENV)/.installed-dev

run: install
	@mkdir -p data
	$(VENV)/bin/jean-memory serve

# System and npm parts the end-to-end tests drive (Chromium, Caddy, Node 22 clients); each step skips itself
# when already present.
test-deps: dev-install
	scripts/install-test-deps.sh

test: test-deps
	$(PY) -m pytest

test-fast: dev-install
	$(PY) -m pytest -m "not e2e"

lint: dev-install
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy

bench: dev-install
	$(PY) -m bench

# Ten minutes of mixed traffic at 32 clients with a SIGKILL and restart half-way (not part of `make bench`).
soak: dev-install
	$(PY) -m bench.soak

# Refresh the README's screenshots (docs/screenshots/) from the browser tests.
screenshots: test-deps
	SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(PY) -m pytest tests/e2e/test_browser_site.py tests/e2e/test_browser_mcp_oauth.py

clean:
	rm -rf $(VENV) $(NODE_DIR)/node_modules .pytest_cache .mypy_cache .ruff_cache
