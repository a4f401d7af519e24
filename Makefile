# pa-bot: the two commands a fresh machine needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test test-fast lint bench screens portal clean

setup: $(STAMP)
	@$(BIN)/python -m bot.browser --ensure

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: setup
	$(BIN)/pa-bot demo

test: setup
	$(BIN)/pytest -n 2 --dist loadgroup

test-fast: setup
	$(BIN)/pytest -n 2 --dist loadgroup -m "not slow"

lint: setup
	$(BIN)/ruff check bot mock_portal tests bench
	$(BIN)/ruff format --check bot mock_portal tests bench
	$(BIN)/mypy

bench: setup
	$(BIN)/python -m bench

screens: setup
	$(BIN)/python -m mock_portal.screens docs/screens

portal: setup
	$(BIN)/pa-bot portal

clean:
	rm -rf $(VENV) var artifacts .pytest_cache .mypy_cache .ruff_cache
