# multicloud.oci_aws — every target sets itself up on a fresh machine (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed
SANDBOX_DIR ?= .sandbox

export PATH := $(abspath $(VENV))/bin:$(PATH)

.PHONY: help venv test integration unit security fidelity realshape molecule installed sanity lint demo sandbox-up sandbox-down bench clean

help:
	@echo "make test          run every test suite (pytest, ansible-test sanity, ansible-lint, ...)"
	@echo "make demo          run the whole federation against the local sandbox and show the result"
	@echo "make sandbox-up    start the sandbox; writes $(SANDBOX_DIR)/env and $(SANDBOX_DIR)/vars.yml"
	@echo "make sandbox-down  stop the sandbox"
	@echo "make bench         run the benchmarks; writes bench/results.md"

venv: $(STAMP)

# requirements-test.txt installs the sandbox (sandbox/, editable): a change to its pyproject.toml reinstalls.
$(STAMP): requirements.txt requirements-test.txt sandbox/pyproject.toml
	@test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -r requirements-test.txt
	@touch $@

test: venv
	tests/utils/run-tests.sh all

integration: venv
	tests/utils/run-tests.sh integration

unit: venv
	tests/utils/run-tests.sh unit

security: venv
	tests/utils/run-tests.sh security

fidelity: venv
	tests/utils/run-tests.sh fidelity

realshape: venv
	tests/utils/run-tests.sh realshape

molecule: venv
	tests/utils/run-tests.sh molecule

installed: venv
	tests/utils/run-tests.sh installed

sanity: venv
	tests/utils/run-tests.sh sanity

lint: venv
	tests/utils/run-tests.sh lint

demo: venv
	tests/utils/demo.sh

sandbox-up: venv
	$(VPY) -m oci_aws_sandbox up --dir $(SANDBOX_DIR)

sandbox-down:
	@if [ -x $(VPY) ]; then $(VPY) -m oci_aws_sandbox down --dir $(SANDBOX_DIR); else echo "no sandbox running"; fi

bench: venv
	$(VPY) -m bench $(BENCH_ARGS)

clean:
	rm -rf .build tests/output .pytest_cache
