# The two quick-start commands: `make demo` (a full sync cycle on the embedded defaults) and
# `make test`. Both create .venv, install arbridge's pinned dependencies from requirements.lock
# (hash-checked) and make sure a Chromium is available (`make test` also libfaketime, for the
# demo-figures test). `make lock` re-resolves the lock after
# a change to pyproject.toml; `make audit` checks the locked versions for known advisories.
#
# `make test` runs the whole suite in parallel (pytest-xdist, TEST_WORKERS processes: two per
# core, as the tests wait on browsers, subprocesses, services and leases as much as they
# compute: on the quiet 2-core machine 4 workers took 15.0 min where 2 took 18.4; a module's
# tests stay on one worker, so a module-scoped fixture such as a demo run is built once; the
# heaviest modules start first, by tests/durations.json) and prints the ten slowest tests.
# Every test has its own ports (port 0), PostgreSQL schema, queue prefix and home (tmp_path);
# the workers share only one small demo run, read-only (tests/workers/conftest.py);
# `make test TEST_WORKERS=0` runs it serially. `make test-fast` runs only the pure tests, in
# under a minute: tests/conftest.py marks each test `browser` (tests/e2e), `services`
# (PostgreSQL, Redis, RabbitMQ), `subprocess` (starts the arbridge command or another process)
# or `store` (opens a store, copied from one migrated once per worker), and test-fast
# deselects all four (`-m "$(FAST)"`): the pure cores, parsers, rules and the simulator. Extra
# pytest options go in PYTEST_ARGS, e.g. `make test-fast PYTEST_ARGS="tests/sync -x"`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
LOCK    = requirements.lock
TEST_WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) * 2 )))
FAST    = not browser and not services and not subprocess and not store

.PHONY: demo test test-fast lint docs install browser faketime bench clean lock audit

demo: install browser
	$(BIN)/arbridge demo

test: install browser faketime
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope --no-loadscope-reorder --durations=10 $(PYTEST_ARGS)

test-fast: install
	$(BIN)/python -m pytest -m "$(FAST)" -n 0 --durations=5 $(PYTEST_ARGS)

# The rules a machine keeps (pyproject.toml, .importlinter): ruff (pyflakes, imports, bugbear,
# pyupgrade), import-linter's layers and no-circles contracts, mypy on sync/, sap/, connectors/.
lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# The documentation site (mkdocs.yml, docs/) into site/; --strict: a broken link or anchor fails.
docs: install
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir site

bench: install
	$(BIN)/python bench/pull.py

install: $(STAMP)

$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e '.[test]'
	touch $(STAMP)

# One command after any change to the dependencies in pyproject.toml (the ranges stay there for
# people who embed arbridge): pins every package, with hashes, for `make install`. Pins already
# in the lock are kept; `make lock LOCK_ARGS=--upgrade` moves every package to its newest release.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet 'pip-tools>=7.4'
	$(BIN)/pip-compile --quiet --extra test --generate-hashes --strip-extras --allow-unsafe \
		--no-emit-index-url --no-emit-find-links $(LOCK_ARGS) --output-file $(LOCK) pyproject.toml

# Known vulnerabilities in the locked versions (needs the PyPI/OSV advisory database online).
audit: install
	$(BIN)/python -m pip install --quiet 'pip-audit>=2.7'
	$(BIN)/pip-audit --strict --requirement $(LOCK) --require-hashes --disable-pip

# Debian's chromium when we are root (Playwright cannot download browsers everywhere), with its
# headless shell (what runs headless: about 30% less CPU an upload); otherwise Playwright's own.
browser: install
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then \
		echo "chromium: $$(command -v chromium || command -v chromium-browser)"; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else \
		$(BIN)/playwright install chromium; \
	fi
	@if ! command -v chromium-headless-shell >/dev/null 2>&1 && [ "$$(id -u)" = "0" ] && \
			command -v apt-get >/dev/null 2>&1 && command -v chromium >/dev/null 2>&1; then \
		(DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium-headless-shell || \
		 (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			chromium-headless-shell)) || echo "chromium-headless-shell: not installed, the full chromium runs headless"; \
	fi

# libfaketime: tests/workers/cli/test_demo_figures.py runs the demo with its clock on the day
# docs/demo.md names, so the figures it quotes hold on any day
faketime:
	@if command -v faketime >/dev/null 2>&1; then \
		echo "faketime: $$(command -v faketime)"; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime; \
	else \
		echo "faketime is missing: install Debian's faketime (libfaketime) as root" >&2; exit 1; \
	fi

clean:
	rm -rf $(VENV) var .pytest_cache site
