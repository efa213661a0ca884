# Sandglass: `make dev` runs the whole API locally; `make test` runs the offline test suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: dev test test-unit lint bench openapi clean

$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

dev: $(STAMP)
	$(BIN)/python -m sandglass_local serve $(ARGS)

test: $(STAMP)
	$(BIN)/cfn-lint template.yaml
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

test-unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit -n 0

lint: $(STAMP)
	$(BIN)/cfn-lint template.yaml

bench: $(STAMP)
	$(BIN)/python bench/cold_start.py
	$(BIN)/python bench/dynamodb_calls.py

openapi: $(STAMP)
	$(BIN)/python -m sandglass_local openapi > openapi.json

clean:
	rm -rf $(VENV) .local .aws-sam
