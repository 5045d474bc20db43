# Two commands: `make run` (set up and start the server) and `make test` (set up and pass every test).
# The first of python3.11, 3.12, 3.13 that runs (pyenv shims exist for versions that are not selected); PYTHON=... overrides.
PYTHON_GIVEN := $(filter command line environment,$(origin PYTHON))
PYTHON ?= $(or $(shell for p in python3.11 python3.12 python3.13; do $$p -c '' >/dev/null 2>&1 && { echo $$p; break; }; done),python3)
# A given pythonX.Y that does not run (a pyenv shim of an installed but unselected version) is found in pyenv.
ifneq ($(PYTHON_GIVEN),)
override PYTHON := $(shell scripts/python-for.sh '$(PYTHON)')
endif
VENV ?= .venv
PY := $(VENV)/bin/python
NODE_DIR := tests/e2e/node

# A venv keeps the Python it was made with (pyvenv.cfg); a PYTHON of another version makes it again.
VENV_HAS := $(shell sed -n 's/^version[_info]* *= *\([0-9]*\.[0-9]*\).*/\1/p' $(VENV)/pyvenv.cfg 2>/dev/null | head -n 1)
PYTHON_IS := $(if $(PYTHON_GIVEN),$(shell '$(PYTHON)' -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null))
REMAKE_VENV := $(and $(VENV_HAS),$(PYTHON_IS),$(filter-out $(VENV_HAS),$(PYTHON_IS)))

.PHONY: run test test-fast lint bench soak screenshots install dev-install test-deps clean FORCE

$(PY): $(if $(REMAKE_VENV),FORCE)
	@$(PYTHON) -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))' >/dev/null 2>&1 || \
		{ echo "Python 3.11, 3.12 or 3.13 is needed ($(PYTHON) is missing or another version; PYTHON=/path/to/python3.x)"; exit 1; }
ifneq ($(REMAKE_VENV),)
	@echo "$(VENV) was made with Python $(VENV_HAS) and PYTHON=$(PYTHON) is Python $(PYTHON_IS): making $(VENV) again"
	rm -rf $(VENV)
endif
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml $(if $(REMAKE_VENV),FORCE) | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml $(if $(REMAKE_VENV),FORCE) | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed

dev-install: $(VENV)/.installed-dev

run: install
	@mkdir -p -m 700 data
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

# Ten minutes of mixed traffic at 32 clients with a SIGKILL and restart half-way, 1% of adds 64 KB and 200 open
# listen streams beside them (not part of `make bench`).
soak: dev-install
	$(PY) -m bench.soak

# Refresh the README's screenshots (docs/screenshots/) from the browser tests.
screenshots: test-deps
	SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(PY) -m pytest tests/e2e/test_browser_site.py tests/e2e/test_browser_mcp_oauth.py

clean:
	rm -rf $(VENV) $(NODE_DIR)/node_modules .pytest_cache .mypy_cache .ruff_cache
