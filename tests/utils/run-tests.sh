#!/usr/bin/env bash
# Runs the test suites of multicloud.oci_aws from wherever the checkout lives.
#   tests/utils/run-tests.sh [all|unit|fidelity|sanity|lint]...
# ansible-test and ansible-playbook need the collection at .../ansible_collections/multicloud/oci_aws:
# a copy of the checkout is made under .build/ for them (the checkout itself is never modified).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VENV=${VENV:-$ROOT/.venv}
PY=$VENV/bin/python
export PATH=$VENV/bin:$PATH
BUILD=${OCI_AWS_BUILD_DIR:-$ROOT/.build}
TREE=$BUILD/ansible_collections/multicloud/oci_aws

log() { printf '\n=== %s ===\n' "$*"; }

make_tree() {
    # A clean copy of the collection: tracked and untracked files, without local state.
    rm -rf "$TREE"
    mkdir -p "$TREE"
    tar -C "$ROOT" --exclude=./.venv --exclude=./.build --exclude=./.sandbox --exclude=./.git \
        --exclude=./tests/output --exclude=./bench/output --exclude='__pycache__' \
        --exclude='*.pyc' --exclude=./.pytest_cache --exclude='./*.tar.gz' -cf - . | tar -C "$TREE" -xf -
}

install_ansible_test_bootstrap() {
    # ansible-test downloads get-pip.py from a host outside the package registries; give it a local one.
    local ver cache
    ver=$("$PY" - <<'PYEOF'
import re, ansible_test, pathlib
src = pathlib.Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py"
print(re.search(r"pip='([0-9.]+)'", src.read_text()).group(1).replace(".", "_"))
PYEOF
)
    cache=$HOME/.ansible/test/cache/get_pip_$ver.py
    mkdir -p "$(dirname "$cache")"
    cmp -s "$ROOT/tests/utils/get_pip_offline.py" "$cache" || cp "$ROOT/tests/utils/get_pip_offline.py" "$cache"
}

run_unit() {
    log "pytest: unit"
    "$PY" -m pytest -q -p no:cacheprovider "$ROOT/tests/unit"
}

run_fidelity() {
    log "pytest: sandbox fidelity"
    "$PY" -m pytest -q -p no:cacheprovider "$ROOT/tests/fidelity"
}

run_sanity() {
    log "ansible-test sanity"
    install_ansible_test_bootstrap
    make_tree
    (cd "$TREE" && ansible-test sanity --python "$("$PY" -c 'import sys;print("%d.%d" % sys.version_info[:2])')" --color no)
}

run_lint() {
    log "ansible-lint"
    make_tree
    (cd "$TREE" && ansible-lint --offline --profile production)
}

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(all)
for suite in "${suites[@]}"; do
    case $suite in
        all) run_unit; run_fidelity; run_sanity; run_lint ;;
        unit) run_unit ;;
        fidelity) run_fidelity ;;
        sanity) run_sanity ;;
        lint) run_lint ;;
        *) echo "unknown suite: $suite" >&2; exit 2 ;;
    esac
done
log "all requested suites passed"
