#!/usr/bin/env bash
# Runs the test suites of multicloud.oci_aws from wherever the checkout lives.
#   tests/utils/run-tests.sh [all|unit|fidelity|sanity|lint]...
# ansible-test and ansible-playbook need the collection at .../ansible_collections/multicloud/oci_aws:
# a copy of the checkout is made in a temporary tree for them (the checkout itself is never modified).
#   tests/utils/run-tests.sh integration [target...]   starts a sandbox and runs ansible-test integration
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VENV=${VENV:-$ROOT/.venv}
PY=$VENV/bin/python
export PATH=$VENV/bin:$PATH
# Outside the checkout: inside it, ansible-test would list files with the checkout's git and skip them.
BUILD=${OCI_AWS_BUILD_DIR:-${TMPDIR:-/tmp}/oci_aws-build-$(id -u)-$(printf %s "$ROOT" | cksum | cut -d" " -f1)}
TREE=$BUILD/ansible_collections/multicloud/oci_aws

pyver() { "$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])'; }
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
    log "pytest: sandbox fidelity and end-to-end"
    "$PY" -m pytest -q -p no:cacheprovider "$ROOT/tests/fidelity" "$ROOT/tests/e2e"
}

run_sanity() {
    log "ansible-test sanity"
    install_ansible_test_bootstrap
    make_tree
    (cd "$TREE" && ansible-test sanity --python "$(pyver)" --color no)
}

start_sandbox() {
    # A sandbox for the suites that talk to the clouds; reuse one given in OCI_AWS_SANDBOX_DIR.
    if [ -n "${OCI_AWS_SANDBOX_DIR:-}" ]; then
        SANDBOX_DIR=$OCI_AWS_SANDBOX_DIR
        return
    fi
    SANDBOX_DIR=$BUILD/sandbox
    PYTHONPATH=$ROOT/tests "$PY" -m sandbox up --dir "$SANDBOX_DIR" >/dev/null
    trap 'PYTHONPATH=$ROOT/tests "$PY" -m sandbox down --dir "$SANDBOX_DIR" >/dev/null' EXIT
}

run_integration() {
    log "ansible-test integration (against the sandbox)"
    if ! ls "$ROOT"/tests/integration/targets/*/aliases >/dev/null 2>&1; then
        echo "no integration targets yet"
        return
    fi
    make_tree
    start_sandbox
    cp "$SANDBOX_DIR/vars.yml" "$TREE/tests/integration/integration_config.yml"
    (cd "$TREE" && ansible-test integration --python "$(pyver)" --color no "$@")
}

run_lint() {
    log "ansible-lint"
    make_tree
    (cd "$TREE" && ANSIBLE_COLLECTIONS_PATH=$BUILD ansible-lint --offline --nocolor --profile production)
    log "antsibull-changelog lint"
    (cd "$ROOT" && antsibull-changelog lint)
}

if [ "${1:-}" = integration ]; then
    # tests/utils/run-tests.sh integration [ansible-test integration arguments, e.g. a target name]
    shift
    run_integration "$@"
    log "integration passed"
    exit 0
fi

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(all)
for suite in "${suites[@]}"; do
    case $suite in
        all) run_unit; run_fidelity; run_integration; run_sanity; run_lint ;;
        unit) run_unit ;;
        fidelity) run_fidelity ;;
        sanity) run_sanity ;;
        lint) run_lint ;;
        *) echo "unknown suite: $suite" >&2; exit 2 ;;
    esac
done
log "all requested suites passed"
