# Sandglass: `make dev` runs the whole API locally; `make test` runs the offline test suite.
# `make help` lists the targets and the variables they read.
# The functions run on python3.13 (template.yaml Globals); the venv, tests and dev server use the same
# minor version. Found as `python3.13` on PATH (a working one, not a bare pyenv shim) or under pyenv.
comma := ,
PY_MINOR := 3.13
ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell for p in python$(PY_MINOR) $$(pyenv root 2>/dev/null)/versions/$(PY_MINOR).*/bin/python$(PY_MINOR); do \
	$$p -c 'import sys; assert sys.version_info[:2] == ($(subst .,$(comma),$(PY_MINOR)))' >/dev/null 2>&1 && { echo $$p; break; }; done)
endif
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAM_VENV := .tools/sam-venv
SAM_STAMP := $(SAM_VENV)/.installed

.PHONY: help dev test test-unit build contract fuzz lint bench openapi clean

# A .venv built by another Python (another minor version, or an interpreter since removed) cannot
# run: rebuild it from requirements.lock rather than fail with a confusing import error.
WANTED_PY := $(if $(PYTHON),$(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null))
VENV_PY := $(shell [ -e $(BIN)/python ] && $(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo unusable)
ifneq ($(wildcard $(VENV)),)
ifneq ($(WANTED_PY),)
ifneq ($(VENV_PY),$(WANTED_PY))
$(info .venv holds Python $(VENV_PY), but $(PYTHON) is $(WANTED_PY): rebuilding .venv)
$(shell rm -rf $(VENV))
endif
endif
endif

help:
	@echo "Targets:"
	@echo "  help     this list"
	@echo "  dev      the whole API at http://127.0.0.1:3000/api (embedded DynamoDB, demo data); options: ARGS='--port 3001 --reset --no-schedules'"
	@echo "  test     cfn-lint + the offline pytest suite; PYTEST_ARGS='-k rates -n 0' to narrow it"
	@echo "  test-unit  only the pure-rule tests (tests/unit, in-memory fakes, about a second)"
	@echo "  build    sam build (aws-sam-cli from requirements-sam.lock in .tools/sam-venv, no container) into .aws-sam/build, then check every wheel and .so runs on the functions' runtime"
	@echo "  contract replay every Sandtime reference operation and rewrite the contract table in docs/contract.md (and the Clockify one in docs/clockify.md)"
	@echo "  fuzz     schemathesis on every operation, long run (FUZZ_EXAMPLES=200 per operation and role, FUZZ_SEED) + a table of statuses reached"
	@echo "  lint     cfn-lint template.yaml"
	@echo "  bench    every benchmark in bench/ (cold start, DynamoDB calls, listing, reports, dev server, change log and webhooks)"
	@echo "  openapi  rebuild functions/openapi/openapi.json, the OpenAPI document deployed GET /api/openapi.json serves (a test fails when it is stale)"
	@echo "  clean    remove .venv, .tools, .local (the dev server's saved state) and .aws-sam"
	@echo "Variables: PYTHON (default: a Python $(PY_MINOR) found on PATH or under pyenv), ARGS, PYTEST_ARGS, FUZZ_EXAMPLES, FUZZ_SEED; environment: see docs/local.md (SANDGLASS_DYNAMODB_PORT...)"

$(STAMP): requirements.lock pyproject.toml
	@[ -n "$(WANTED_PY)" ] || { echo "Python $(PY_MINOR) is required (the Lambda runtime): install it (e.g. pyenv install $(PY_MINOR)) or set PYTHON=/path/to/python$(PY_MINOR)"; exit 1; }
	@[ "$(WANTED_PY)" = "$(PY_MINOR)" ] || echo "warning: $(PYTHON) is Python $(WANTED_PY); Sandglass targets $(PY_MINOR) (the Lambda runtime)"
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

$(SAM_STAMP): requirements-sam.lock
	@[ -n "$(WANTED_PY)" ] || { echo "Python $(PY_MINOR) is required (the Lambda runtime): install it (e.g. pyenv install $(PY_MINOR)) or set PYTHON=/path/to/python$(PY_MINOR)"; exit 1; }
	rm -rf $(SAM_VENV) && $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet -r requirements-sam.lock
	@touch $(SAM_STAMP)

# SAM's pip builder needs `python3.13` on PATH: the project venv's. No container: it downloads
# the runtime's (manylinux aarch64) wheels, and the check fails the build on anything else.
build: $(STAMP) $(SAM_STAMP)
	SAM_CLI_TELEMETRY=0 PATH="$(abspath $(BIN)):$$PATH" $(SAM_VENV)/bin/sam build --template-file template.yaml --build-dir .aws-sam/build
	$(BIN)/python scripts/check_lambda_artifacts.py .aws-sam/build

contract: $(STAMP)
	@CONTRACT_WRITE_TABLE=1 $(BIN)/python -m pytest tests/contract -n 0 -q; status=$$?; \
	sed -n '/<!-- contract-table/,/<!-- \/contract-table/p' docs/contract.md; \
	sed -n '/<!-- clockify-contract-table/,/<!-- \/clockify-contract-table/p' docs/clockify.md | tail -n 3; exit $$status

# The fuzz test runs bounded in `make test` (FUZZ_EXAMPLES=6, no coverage phase); this is the long run.
FUZZ_EXAMPLES ?= 200
FUZZ_SEED ?= 1207
FUZZ_REPORT := .local/fuzz-report.jsonl
fuzz: $(STAMP)
	@mkdir -p .local && rm -f $(FUZZ_REPORT)
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_SEED=$(FUZZ_SEED) FUZZ_COVERAGE=1 FUZZ_REPORT=$(FUZZ_REPORT) \
		$(BIN)/python -m pytest tests/api/test_fuzz.py tests/api/clockify/test_clockify_fuzz.py -n 2 $(PYTEST_ARGS); status=$$?; \
		$(BIN)/python -m tests.api.fuzz_report $(FUZZ_REPORT) 2>/dev/null | grep -v '^{"_aws'; exit $$status

lint: $(STAMP)
	$(BIN)/cfn-lint template.yaml

# Every bench in bench/ (tests/stack/test_benches.py checks this list, and smoke-runs each in `make test`).
bench: $(STAMP)
	$(BIN)/python -m sandglass_local.benchlog bench/cold_start.py
	$(BIN)/python -m sandglass_local.benchlog bench/dynamodb_calls.py
	$(BIN)/python -m sandglass_local.benchlog bench/activities_list.py
	$(BIN)/python -m sandglass_local.benchlog bench/reports.py
	$(BIN)/python -m sandglass_local.benchlog bench/dev_server.py
	$(BIN)/python -m sandglass_local.benchlog bench/changes.py

openapi: $(STAMP)
	$(BIN)/python -m sandglass_local openapi --write

clean:
	rm -rf $(VENV) .tools .local .aws-sam
