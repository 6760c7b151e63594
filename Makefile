# tregsim developer commands. Everything runs from the project's own virtual environment.
#   make demo    install, then simulate the planned trial (phrc-2016) and write its report
#   make test    install, then lint and run the test suite
#   make lint    ruff only;  make bench  solver speed (quick)
#   make calibrate  regenerate the shipped posterior (src/tregsim/data/posterior.json)

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# The install stamp is keyed on the contents of pyproject.toml: editing the dependencies
# triggers a reinstall, anything else keeps `make install` instant.
PYPROJECT_KEY := $(shell sha256sum pyproject.toml | cut -c1-16)
STAMP := $(VENV)/.tregsim-installed-$(PYPROJECT_KEY)
DEMO_OUT := results/phrc-2016
# Test processes (pytest-xdist): the suite is CPU-bound and mostly single-threaded.
TEST_WORKERS ?= 2

.PHONY: install chromium demo test lint bench calibrate clean

install: $(STAMP) chromium

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || { echo "creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	@$(BIN)/python -c 'import sys; assert sys.version_info[:2] == (3, 11), "tregsim needs Python 3.11; remove .venv and set PYTHON=python3.11"'
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@rm -f $(VENV)/.tregsim-installed-*
	@touch $@

# Headless chromium renders the report in the browser tests (Debian package).
chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing chromium (apt-get)"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
			|| echo "note: installing chromium failed; browser tests will FAIL (TREGSIM_SKIP_BROWSER=1 skips them)."; \
	else \
		echo "note: /usr/bin/chromium is missing and this is not a root shell with apt-get;"; \
		echo "      browser tests will FAIL (install it with: sudo apt-get install -y chromium,"; \
		echo "      or set TREGSIM_SKIP_BROWSER=1 to skip them knowingly)."; \
	fi

demo: install
	$(BIN)/tregsim run phrc-2016 --out $(DEMO_OUT)
	@if [ -f $(DEMO_OUT)/report.html ]; then \
		echo "Report: $(abspath $(DEMO_OUT))/report.html"; \
	else \
		echo "Results: $(abspath $(DEMO_OUT)) (no report.html was written)"; \
	fi

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist worksteal

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# Regenerate the shipped posterior (ABC-SMC, docs/calibration.md) and ship it.
calibrate: install
	$(BIN)/tregsim calibrate --out results/calibration --workers 2
	cp results/calibration/posterior.json src/tregsim/data/posterior.json

bench: install
	$(BIN)/python benchmarks/bench_solver.py --quick

clean:
	rm -rf results .pytest_cache .ruff_cache build dist
