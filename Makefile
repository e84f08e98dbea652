# The two commands of the README's quick start. Each makes its own virtual environment.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint clean

$(BIN)/negotiate: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: $(BIN)/negotiate  ## one NAFTA negotiation, narrated; writes runs/<run-id>/
	$(BIN)/negotiate run configs/nafta_2017.yaml --seed 1

test: $(BIN)/negotiate  ## lint, format check, the whole test suite with coverage (one test process per core)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n auto

clean:
	rm -rf $(VENV) .pytest_cache .coverage .ruff_cache
