# Two commands matter on a fresh machine: `make demo` and `make test` (see README.md).
# Each creates its own virtual environment in .venv on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev

.PHONY: demo test lint unit keyring-test bench package clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/orderchamp-desktop --demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

unit: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -m "not keyring_real" -p no:cacheprovider

keyring-test: $(STAMP)
	sh tests/keyring_session.sh $(BIN)/python

test: lint unit keyring-test

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench

package: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,package]'
	sh packaging/build_linux.sh

clean:
	rm -rf build dist .mypy_cache .ruff_cache .pytest_cache
