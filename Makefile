# Sandbox Platform. `make run` and `make test` work on a fresh machine: they build the
# virtualenv with CPython 3.12 (the Lambda runtime) on first use.
SHELL := /bin/bash
PYTHON312 ?= $(shell command -v python3.12 >/dev/null 2>&1 && python3.12 -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null && command -v python3.12 || ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.12*/bin/python3.12 2>/dev/null | tail -n 1)
VENV := .venv
PY := $(VENV)/bin/python
SAM_VENV := .venv-sam
SAM := $(SAM_VENV)/bin/sam
# `make run` settings (VAR=value make run, or make run VAR=value): PORT, and ARGS for any
# other option of `python -m local_runtime --help`; its LOCAL_RUNTIME_* variables (HOST,
# AWS_TRANSPORT, AWS_PORT, SCHEDULE_SPEED, IP_LIMIT, LOG_LEVEL) and SANDBOX_ADMIN_KEY reach it
# as they are. (Not HOST: some shells set it to the machine's name.)
PORT ?= 3000
ARGS ?=

.PHONY: run test fuzz openapi lint format validate build deploy bench venv clean

$(VENV)/.installed: requirements-dev.txt layers/common/requirements.txt layers/common/pyproject.toml pyproject.toml
	@test -n "$(PYTHON312)" || { echo "CPython 3.12 not found: install it (pyenv install 3.12) or set PYTHON312=/path/to/python3.12"; exit 1; }
	@test -x $(PY) || $(PYTHON312) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	$(PY) -m pip install -q --no-deps -e layers/common -e .
	@touch $@

venv: $(VENV)/.installed

$(SAM_VENV)/.installed: requirements-sam.txt
	@test -x $(SAM_VENV)/bin/python || $(PYTHON312) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install -q --upgrade pip
	$(SAM_VENV)/bin/python -m pip install -q -r requirements-sam.txt
	@touch $@

## Serve the whole API locally (embedded moto as AWS, real handlers in-process).
run: venv
	$(PY) -m local_runtime --port $(PORT) $(ARGS)

## The whole test suite, with coverage of the layer and the functions.
test: venv
	$(PY) -m pytest --cov=sandbox_common --cov=functions --cov-report=term-missing:skip-covered --cov-fail-under=90

## A longer schemathesis pass over the whole OpenAPI document, then longer sequences along its
## links with each role's key (make test runs a short one); -rP prints what the sequences did.
fuzz: venv
	FUZZ_MAX_EXAMPLES=$${FUZZ_MAX_EXAMPLES:-60} FUZZ_COVERAGE=1 \
	FUZZ_STATEFUL_EXAMPLES=$${FUZZ_STATEFUL_EXAMPLES:-100} FUZZ_STATEFUL_STEPS=$${FUZZ_STATEFUL_STEPS:-12} \
	$(PY) -m pytest tests/http/test_openapi.py -k "every_operation or linked_operations" -rP --show-capture=stdout -p no:cacheprovider

## Rebuild functions/docs/openapi.json from every function's app (commit the result).
openapi: venv
	$(PY) -m local_runtime.openapi_document

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy layers/common/sandbox_common

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## sam validate --lint (SAM CLI in its own virtualenv).
validate: $(SAM_VENV)/.installed
	$(SAM) validate --lint --region us-east-1

## sam build with python3.12 on PATH.
build: $(SAM_VENV)/.installed
	PATH="$(dir $(PYTHON312)):$$PATH" $(SAM) build

deploy: build
	$(SAM) deploy --guided

## Every benchmark (> 15 minutes), then one table of their bars, also written to
## benchmarks/latest.md. BENCH_ARGS="--quick" for a smoke run, "--only NAME ..." for some.
bench: venv
	$(PY) benchmarks/run_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(SAM_VENV) .aws-sam .sandbox .pytest_cache .coverage
