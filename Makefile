# hemonc-network: `make run` starts the platform, `make test` checks it.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
# pip.conf on some machines lists local mirrors that do not exist; their warnings are noise.
QUIET_PIP := 2>&1 | { grep -v 'is ignored: it is neither' || true; }
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTHON_VERSION := $(shell cat .python-version)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run test lint format test-sqlite test-postgres coverage bench lock clean

setup: $(STAMP)

$(STAMP): requirements/base.txt requirements/dev.txt pyproject.toml
	@py=$$(command -v python$(PYTHON_VERSION) 2>/dev/null); \
	if [ -z "$$py" ] || ! "$$py" -c 'import sys; assert sys.version_info[:2] == tuple(map(int, "$(PYTHON_VERSION)".split(".")))' 2>/dev/null; then \
	  echo "Python $(PYTHON_VERSION) is required but python$(PYTHON_VERSION) was not found on PATH: install it (e.g. 'pyenv install $(PYTHON_VERSION)' or 'apt-get install python$(PYTHON_VERSION)-venv')." >&2; exit 1; \
	fi; \
	[ -x $(BIN)/python ] || "$$py" -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip $(QUIET_PIP)
	$(BIN)/python -m pip install --quiet -r requirements/base.txt -r requirements/dev.txt $(QUIET_PIP)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e . $(QUIET_PIP)
	@touch $(STAMP)

# The demo runs in debug mode unless told otherwise (no secret key or TLS needed on 127.0.0.1).
# `make run PORT=8101 HOST=...` serves there, and links in mails and calendars point there too
# (SITE_URL, unless it is set; bin/serve does the same when started by hand).
run: export DJANGO_DEBUG := $(or $(DJANGO_DEBUG),true)
run: export SITE_URL := $(or $(SITE_URL),http://$(if $(filter 0.0.0.0 :: [::],$(HOST)),127.0.0.1,$(HOST)):$(PORT))
run: setup
	$(BIN)/hemonc migrate --no-input
	$(BIN)/hemonc collectstatic --no-input --verbosity 0
	$(BIN)/hemonc demo
	@bin/serve $(HOST) $(PORT)

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/djlint --lint src/hemonc
	$(BIN)/mypy src
	$(BIN)/lint-imports

format: setup
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench
	$(BIN)/djlint --reformat src/hemonc

# Both runs measure lines and branches of src/hemonc (pyproject.toml, [tool.coverage]); the
# PostgreSQL run adds to what the SQLite run measured, and `coverage` judges them together.
COVERAGE := --cov --cov-report= --cov-fail-under=0

test-sqlite: setup
	@mkdir -p var/coverage
	$(BIN)/pytest -p no:cacheprovider -n 2 --dist loadgroup $(COVERAGE)

# The database tests again on PostgreSQL, when TEST_DATABASE_URL names one; browser tests ran already.
test-postgres: setup
	@mkdir -p var/coverage
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  DATABASE_URL="$$TEST_DATABASE_URL" $(BIN)/pytest -p no:cacheprovider -n 2 --dist loadgroup --db-only -m "not browser" $(COVERAGE) --cov-append; \
	else echo "TEST_DATABASE_URL is not set: PostgreSQL run skipped."; fi

# The files short of full coverage, then the gate: lines and branches of both runs together,
# each against its own floor.
COVERAGE_LINES := 93
COVERAGE_BRANCHES := 90

coverage: setup
	$(BIN)/coverage report --fail-under=0
	@$(BIN)/coverage json --quiet --fail-under=0 -o - | $(BIN)/python bin/coverage-gate $(COVERAGE_LINES) $(COVERAGE_BRANCHES)

test: lint test-sqlite test-postgres coverage

# The benchmarks compare with tools the tests do not need (requirements/bench.txt).
BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): requirements/bench.txt $(STAMP)
	$(BIN)/python -m pip install --quiet -r requirements/bench.txt $(QUIET_PIP)
	@touch $(BENCH_STAMP)

bench: setup $(BENCH_STAMP)
	$(BIN)/python -m bench

lock:
	$(BIN)/python -m pip install --quiet uv
	cd requirements && ../$(BIN)/uv pip compile -q --python-version $(PYTHON_VERSION) --no-emit-index-url --no-emit-find-links base.in -o base.txt
	cd requirements && ../$(BIN)/uv pip compile -q --python-version $(PYTHON_VERSION) --no-emit-index-url --no-emit-find-links dev.in -o dev.txt
	cd requirements && ../$(BIN)/uv pip compile -q --python-version $(PYTHON_VERSION) --no-emit-index-url --no-emit-find-links bench.in -o bench.txt

clean:
	rm -rf $(VENV) var/test-* .mypy_cache .ruff_cache
