# Two commands: `make demo` sets up and runs the pipeline on seeds/; `make test` sets up and
# runs the tests. Both build .venv from the pinned constraints on first use.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin

export DO_NOT_TRACK := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS := 60
export PREFECT_HOME := $(CURDIR)/.prefect

.PHONY: demo test lint bench clean

$(BIN)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/claims run seeds/

test: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy claims flows expectations

clean:
	rm -rf $(VENV) .prefect reports claims.duckdb claims.duckdb.wal claims.duckdb.lock
