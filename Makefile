# pa-bot: the two commands a fresh machine needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test test-fast lint lock bench screens portal clean

setup: $(STAMP)
	@$(BIN)/python -m bot.browser --ensure

# Exactly the versions of uv.lock (uv's lock: one file for every platform, resolved and
# installed in seconds); pyproject.toml keeps the ranges for people who pip install the package.
UV_VERSION := $(shell sed -n '/^name = "uv"$$/{n;s/^version = "\(.*\)"/\1/p}' uv.lock)
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never

$(STAMP): pyproject.toml uv.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet "uv==$(UV_VERSION)"
	$(BIN)/uv sync --quiet --frozen --extra dev --python $(BIN)/python
	@touch $(STAMP)

lock:
	$(BIN)/uv lock --upgrade

demo: setup
	$(BIN)/pa-bot demo

# Three test processes on two cores: much of the suite waits (on the portal's delays, a lease, a
# grace, a Retry-After), so a third process cut the suite from about 20 to 14 minutes.
test: setup
	$(BIN)/pytest -n 3 --dist loadgroup

test-fast: setup
	$(BIN)/pytest -n 3 --dist loadgroup -m "not slow"

lint: setup
	$(BIN)/ruff check bot mock_portal tests bench
	$(BIN)/ruff format --check bot mock_portal tests bench
	$(BIN)/mypy

bench: setup
	$(BIN)/python -m bench

screens: setup
	$(BIN)/python -m mock_portal.screens docs/screens
	$(BIN)/python -m tests.console.screens docs/screens

portal: setup
	$(BIN)/pa-bot portal

clean:
	rm -rf $(VENV) var artifacts .pytest_cache .mypy_cache .ruff_cache
