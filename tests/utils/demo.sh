#!/usr/bin/env bash
# make demo: start the sandbox, run the federation against it, show the result, stop the sandbox.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PY=${VENV:-$ROOT/.venv}/bin/python
export PYTHONPATH=$ROOT/tests
DIR=$ROOT/.sandbox
cd "$ROOT"
"$PY" -m sandbox up --dir "$DIR"
trap '"$PY" -m sandbox down --dir "$DIR"' EXIT
echo
"$PY" -m sandbox.walkthrough "$DIR"
