# multicloud.oci_aws — every target sets itself up on a fresh machine (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed
SANDBOX_DIR ?= .sandbox
# The older ansible-core releases of the support matrix (README.md), each tested in its own venv .venv-core-<version>;
# the newest is the one of requirements-test.txt, in $(VENV).
CORE_VERSIONS ?= 2.16 2.17 2.18
# How many of them run at once: their runs wait on the sandbox and on subprocesses as much as they compute (measured
# on 2 cores: 3 at once take about the time of one alone; README, support matrix).
MATRIX_JOBS ?= 3
CORE_VENVS := $(foreach v,$(CORE_VERSIONS),.venv-core-$(v)/.requirements-installed)

export PATH := $(abspath $(VENV))/bin:$(PATH)

.PHONY: help venv core-venvs matrix test integration unit security fidelity realshape molecule installed sanity lint demo sandbox-up sandbox-down bench clean

help:
	@echo "make test          run every test suite (pytest, ansible-test sanity, ansible-lint, ...)"
	@echo "make demo          run the whole federation against the local sandbox and show the result"
	@echo "make sandbox-up    start the sandbox; writes $(SANDBOX_DIR)/env and $(SANDBOX_DIR)/vars.yml"
	@echo "make sandbox-down  stop the sandbox"
	@echo "make bench         run the benchmarks; writes bench/results.md"
	@echo "make matrix        the unit tests and the installed collection on each older ansible-core (CORE_VERSIONS)"

venv: $(STAMP)

# requirements-test.txt installs the sandbox (sandbox/, editable): a change to its pyproject.toml reinstalls.
$(STAMP): requirements.txt requirements-test.txt sandbox/pyproject.toml
	@test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -r requirements-test.txt
	@touch $@

# One venv per older ansible-core, from the interpreter of $(VENV) (the matrix is what Python 3.11 runs).
core-venvs: $(CORE_VENVS)

# Each takes the packages of $(VENV) (the same requirements.txt, oci, boto3, moto, pytest...) through a .pth file, after
# its own site-packages: pip then installs only what differs, ansible-core of that version and what it pins (resolvelib),
# which shadow $(VENV)'s. 11 s a venv on 2 cores instead of 55 s (41 s of CPU) when each installed its own copy of the
# oci SDK's thousands of files. pip leaves $(VENV)'s own copies alone ("outside environment"); its lines "ansible-lint ...
# requires ansible-core!=2.17.*" are about $(VENV)'s tools, which the matrix does not run.
.venv-core-%/.requirements-installed: requirements.txt requirements-matrix.txt sandbox/pyproject.toml | $(STAMP)
	@test -x .venv-core-$*/bin/python || $(VPY) -m venv .venv-core-$*
	$(VPY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' >"$$(.venv-core-$*/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/zz-oci-aws-shared.pth"
	# --no-compile: what the tests import is compiled when they first import it.
	.venv-core-$*/bin/python -m pip install --quiet --no-compile -r requirements-matrix.txt "ansible-core==$*.*"
	.venv-core-$*/bin/python -c 'import sys, ansible.release as r; sys.exit(0 if r.__version__.startswith("$*.") and r.__file__.startswith(sys.prefix) else "ansible-core %s from %s" % (r.__version__, r.__file__))'
	@touch $@

# The matrix's venvs are made by the matrix suite itself (make core-venvs), only when it runs within make test's budget.
test: venv
	OCI_AWS_CORE_VERSIONS="$(CORE_VERSIONS)" OCI_AWS_MATRIX_JOBS=$(MATRIX_JOBS) tests/utils/run-tests.sh all

# The installed-collection suite and the unit tests on each older ansible-core of the matrix.
matrix: venv core-venvs
	OCI_AWS_CORE_VERSIONS="$(CORE_VERSIONS)" OCI_AWS_MATRIX_JOBS=$(MATRIX_JOBS) tests/utils/run-tests.sh matrix

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
	rm -rf .build tests/output .pytest_cache .venv-core-*
