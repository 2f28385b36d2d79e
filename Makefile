# Two commands: `make demo` sets up and runs the pipeline on seeds/; `make test` sets up and
# runs the tests. Both build .venv from the pinned constraints on first use.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin

export DO_NOT_TRACK := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS := 60
export PREFECT_HOME := $(CURDIR)/.prefect

.PHONY: demo test lint bench clean browser

$(BIN)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/claims run seeds/

# The browser tests drive Debian's Chromium. As root on Debian (CI), install it when missing;
# elsewhere say how, and those tests skip.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "note: no chromium: browser tests will be skipped (apt-get install chromium)"; \
	  fi; }

test: lint browser
	$(BIN)/pytest

# Style, the import contracts of pyproject.toml ([tool.importlinter]) and types.
lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy claims flows expectations bench
	$(BIN)/mypy --allow-untyped-defs --allow-untyped-calls --check-untyped-defs tests

bench: $(BIN)/.installed
	$(BIN)/python bench/peer_suites.py
	$(BIN)/python bench/crosscheck_scale.py

clean:
	rm -rf $(VENV) .prefect reports claims.duckdb claims.duckdb.wal claims.duckdb.lock
