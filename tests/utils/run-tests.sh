#!/usr/bin/env bash
# Runs the test suites of multicloud.oci_aws from wherever the checkout lives.
#   tests/utils/run-tests.sh [all|unit|security|fidelity|realshape|integration|molecule|installed|sanity|lint]...
# ansible-test and ansible-playbook need the collection at .../ansible_collections/multicloud/oci_aws:
# a copy of the checkout is made in a temporary tree for them (the checkout itself is never modified).
#   tests/utils/run-tests.sh integration [target...]   starts a sandbox and runs ansible-test integration (without a
#               target: then aws_oidc_role again with the sandbox's counters switched off and IAM propagation of
#               OCI_AWS_INTEGRATION_PROPAGATION s, default 3); with
#               OCI_AWS_INTEGRATION_CONFIG=<file> against the real accounts that file names, no sandbox
#   realshape   site.yml, the lookup, use_credentials.yml and teardown.yml against a domain served as
#               https://idcs-<32 hex>.identity.oraclecloud.com on 443, in namespaces of its own (tests/utils/netns-run.sh)
#   molecule    the scenarios of extensions/molecule (the roles) against a sandbox
#   installed   ansible-galaxy collection build, install into an empty collections path, site.yml and teardown.yml
#               from the installed copy against a sandbox, ansible-doc of every module, lookup and role
#   matrix      unit and installed again on each older ansible-core of the support matrix (README.md): the versions in
#               OCI_AWS_CORE_VERSIONS, each from its venv $ROOT/.venv-core-<version> (`make core-venvs`), OCI_AWS_MATRIX_JOBS
#               of them at once (default 1)
#   ee          the execution environment: ansible-builder introspect of the installed collection, ansible-builder create
#   docs        antsibull-docs lint-collection-docs, and the docsite built with antsibull-docs and Sphinx (no warnings)
# OCI_AWS_BUILD_DIR chooses the build directory; OCI_AWS_SANDBOX_DIR reuses a running sandbox (it is reset).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VENV=${VENV:-$ROOT/.venv}
PY=$VENV/bin/python
export PATH=$VENV/bin:$PATH
# Outside the checkout: inside it, ansible-test would list files with the checkout's git and skip them.
BUILD=${OCI_AWS_BUILD_DIR:-${TMPDIR:-/tmp}/oci_aws-build-$(id -u)-$(printf %s "$ROOT" | cksum | cut -d" " -f1)}
TREE=$BUILD/ansible_collections/multicloud/oci_aws

pyver() { "$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])'; }
log() { printf '\n=== %s (at %d s) ===\n' "$*" "$SECONDS"; }

make_tree() {
    # A clean copy of the collection: tracked and untracked files, without local state.
    rm -rf "$TREE"
    mkdir -p "$TREE"
    tar -C "$ROOT" --exclude=./.venv --exclude='./.venv-core-*' --exclude=./.build --exclude=./.sandbox --exclude=./.git \
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

# The suites that talk to a sandbox spend most of their time waiting (ansible-playbook start-up, the sandbox's
# answers, IAM propagation waits): pytest-xdist runs their files side by side, each worker with its own sandbox
# (the `sandbox` fixture is per worker session); --dist loadfile keeps a file's tests, which may build on one
# another, in one worker. OCI_AWS_TEST_JOBS=1 runs them one after another.
JOBS=${OCI_AWS_TEST_JOBS:-3}
parallel() { if [ "$JOBS" -gt 1 ]; then echo "-n $JOBS --dist loadfile"; fi; }

run_unit() {
    log "pytest: unit"
    "$PY" -m pytest -q -p no:cacheprovider "$ROOT/tests/unit"
}

# The profile of the sandbox's behaviour switches the end-to-end suite runs under (sandbox/src/oci_aws_sandbox/
# profiles.py): every hard answer of both clouds. The suite runs once, under it: the default answers are covered by
# the fidelity tests, which run each switch both ways, and by the end-to-end tests that set a switch themselves.
E2E_PROFILE=${OCI_AWS_E2E_PROFILE:-pessimistic}

run_fidelity() {
    log "pytest: sandbox fidelity (sandbox/tests, default switches)"
    # shellcheck disable=SC2046
    "$PY" -m pytest -q -p no:cacheprovider $(parallel) "$ROOT/sandbox/tests"
    log "pytest: end-to-end (tests/e2e) under the sandbox profile $E2E_PROFILE"
    # shellcheck disable=SC2046
    OCI_AWS_SANDBOX_PROFILE=$E2E_PROFILE "$PY" -m pytest -q -p no:cacheprovider --durations 15 $(parallel) "$ROOT/tests/e2e"
}

run_realshape() {
    # The whole federation against a domain of the real shape, https://idcs-<32 hex>.identity.oraclecloud.com on
    # 443 without a port (tests/e2e/test_real_shape.py), in a private network, PID and mount namespace where that
    # name (and its Regional URL's) resolves to 127.0.0.1 (tests/utils/netns-run.sh); the machine is not changed.
    # About 1 minute on 2 cores. Where namespaces cannot be made it is skipped, with the reason, except in CI.
    log "pytest: the real-shaped identity domain (no port in the issuer, the provider ARN or the condition keys)"
    local id why started
    if ! why=$("$ROOT/tests/utils/netns-run.sh" --check 2>&1); then
        if [ "${CI:-}" = true ]; then
            echo "FAILED: the real-shaped run cannot run in CI: $why" >&2
            return 1
        fi
        echo "SKIPPED (the port path stays tested by the other suites): $why"
        return 0
    fi
    id=idcs-$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
    started=$(date +%s)
    OCI_AWS_REAL_SHAPE_REQUIRED=1 "$ROOT/tests/utils/netns-run.sh" "$id.identity.oraclecloud.com" \
        "$id.us-ashburn-idcs-1.secure.identity.oraclecloud.com" -- \
        "$PY" -m pytest -q -p no:cacheprovider "$ROOT/tests/e2e/test_real_shape.py"
    echo "real-shaped run: $(($(date +%s) - started)) s"
}

run_security() {
    log "pytest: security (one test per threat of the threat model)"
    # shellcheck disable=SC2046
    "$PY" -m pytest -q -p no:cacheprovider --durations 10 $(parallel) "$ROOT/tests/security"
}

run_sanity() {
    log "ansible-test sanity"
    install_ansible_test_bootstrap
    make_tree
    # sandbox/ is not collection code: its own Python package (sandbox/pyproject.toml), tested by sandbox/tests.
    rm -rf "$TREE/sandbox"
    (cd "$TREE" && ansible-test sanity --python "$(pyver)" --color no)
}

reset_sandbox() {
    "$PY" -c 'import sys; from oci_aws_sandbox.handle import attach; attach(sys.argv[1]).reset()' "$SANDBOX_DIR"
}

start_sandbox() {
    # A sandbox for the suites that talk to the clouds, one per run of this script (reset for each suite after the
    # first); reuse one given in OCI_AWS_SANDBOX_DIR.
    if [ -n "${SANDBOX_DIR:-}" ]; then
        reset_sandbox
        return
    fi
    if [ -n "${OCI_AWS_SANDBOX_DIR:-}" ]; then
        SANDBOX_DIR=$OCI_AWS_SANDBOX_DIR
        reset_sandbox
        return
    fi
    SANDBOX_DIR=$BUILD/sandbox
    "$PY" -m oci_aws_sandbox up --dir "$SANDBOX_DIR" >/dev/null
    SANDBOX_STARTED=1
}

# At exit, passed or not: the durations so far, the sandbox this script started stopped, the background venvs ended.
SANDBOX_STARTED=
on_exit() {
    if declare -F summary >/dev/null; then summary; fi
    if [ -n "$SANDBOX_STARTED" ]; then "$PY" -m oci_aws_sandbox down --dir "$SANDBOX_DIR" >/dev/null || true; fi
    # (waited for, not killed: a make killed halfway would leave a venv without its stamp to be made again, and pip
    # children running on)
    if [ -n "${CORE_VENVS_PID:-}" ]; then wait "$CORE_VENVS_PID" 2>/dev/null || true; fi
}
trap on_exit EXIT

# The target run a second time with the sandbox's request counters switched off (sandbox_counters: false), as
# against real accounts: the proof that the targets assert only documented return values without them. That run
# also has IAM's eventual consistency on (iam_propagation_seconds), as real AWS has.
COUNTERS_OFF_TARGET=aws_oidc_role
COUNTERS_OFF_PROPAGATION=${OCI_AWS_INTEGRATION_PROPAGATION:-3}

run_integration() {
    log "ansible-test integration (against the sandbox)"
    if ! ls "$ROOT"/tests/integration/targets/*/aliases >/dev/null 2>&1; then
        echo "no integration targets yet"
        return
    fi
    make_tree
    local config=$TREE/tests/integration/integration_config.yml
    if [ -n "${OCI_AWS_INTEGRATION_CONFIG:-}" ]; then
        # Real accounts (tests/integration/integration_config.yml.template): no sandbox, no counters.
        log "ansible-test integration against the accounts of $OCI_AWS_INTEGRATION_CONFIG"
        cp "$OCI_AWS_INTEGRATION_CONFIG" "$config"
        (cd "$TREE" && ansible-test integration --python "$(pyver)" --color no "$@")
        return
    fi
    start_sandbox
    # The sandbox's vars; the setup target setup_sandbox switches the counter assertions on (sandbox_control_url).
    cp "$SANDBOX_DIR/vars.yml" "$config"
    (cd "$TREE" && ansible-test integration --python "$(pyver)" --color no "$@")
    if [ $# -eq 0 ]; then
        log "ansible-test integration $COUNTERS_OFF_TARGET again, with the sandbox's counters switched off and" \
            "IAM propagation of $COUNTERS_OFF_PROPAGATION s"
        { cat "$SANDBOX_DIR/vars.yml"; echo "sandbox_counters: false"
          echo "sandbox_config: {aws: {iam_propagation_seconds: $COUNTERS_OFF_PROPAGATION}}"; } >"$config"
        (cd "$TREE" && ansible-test integration --python "$(pyver)" --color no -v "$COUNTERS_OFF_TARGET") \
            >"$BUILD/integration-counters-off.log" 2>&1 || { cat "$BUILD/integration-counters-off.log"; return 1; }
        # Proof that the switch was off: every counter read and counter assertion was skipped, none ran.
        if ! grep -q "Read the sandbox's AWS request counters" "$BUILD/integration-counters-off.log" &&
            grep -Eq "^testhost +: ok=[0-9]+ +changed=[0-9]+ +unreachable=0 +failed=0 +skipped=[1-9]" \
                "$BUILD/integration-counters-off.log"; then
            grep -E -A1 '^PLAY RECAP' "$BUILD/integration-counters-off.log" | tail -1
            echo "$COUNTERS_OFF_TARGET passed with sandbox_counters false (no counter read)"
        else
            cat "$BUILD/integration-counters-off.log"
            echo "the run of $COUNTERS_OFF_TARGET with sandbox_counters false read the counters, or skipped nothing" >&2
            return 1
        fi
    fi
}

run_molecule() {
    log "molecule: the roles against the sandbox (converge, idempotence, verify, destroy)"
    make_tree
    start_sandbox
    # Molecule finds the scenarios in extensions/molecule of the collection in its working directory, and the
    # collection itself on ANSIBLE_COLLECTIONS_PATH (the scenarios turn its prerun install off). It keeps its state
    # under ANSIBLE_HOME, or under $VIRTUAL_ENV when one is active: this build's own, not the user's.
    (cd "$TREE" && env -u VIRTUAL_ENV ANSIBLE_HOME="$BUILD/ansible-home" ANSIBLE_COLLECTIONS_PATH="$BUILD" \
        OCI_AWS_SANDBOX_VARS="$SANDBOX_DIR/vars.yml" NO_COLOR=1 ANSIBLE_NOCOLOR=1 molecule test --all)
}

logged() {
    # logged <log> <command...>: the command's output goes to <log>, shown when the command fails.
    local out=$1
    shift
    if ! "$@" >"$out" 2>&1; then
        cat "$out"
        echo "FAILED: $*" >&2
        return 1
    fi
}

quiet_run() {
    # quiet_run <log> <command...>: as logged, and fails on any warning or deprecation message too.
    logged "$@" || return 1
    if grep -E '\[(WARNING|DEPRECATION WARNING|ERROR)\]|^(WARNING|ERROR):' "$1"; then
        shift
        echo "FAILED (warnings above): $*" >&2
        return 1
    fi
}

run_installed() {
    log "installed: build the collection, install it into an empty collections path, run it from there"
    make_tree
    local dist=$BUILD/dist inst=$BUILD/installed work=$BUILD/installed-run tarball
    rm -rf "$dist" "$inst" "$work"
    mkdir -p "$dist" "$inst" "$work"
    chmod 700 "$work"
    (cd "$TREE" && ansible-galaxy collection build --output-path "$dist" >/dev/null)
    tarball=$(echo "$dist"/multicloud-oci_aws-*.tar.gz)
    [ -f "$tarball" ] || { echo "no tarball in $dist" >&2; return 1; }
    # What is shipped: the collection, not the development and test machinery.
    if tar -tzf "$tarball" | grep -E '^(sandbox/|tests/(unit|security|e2e|utils|output)/|extensions/molecule/|bench/|\.ci/|\.venv|\.sandbox|\.build|changelogs/fragments/.)|__pycache__|\.pyc$'; then
        echo "the tarball holds the files above; galaxy.yml build_ignore must leave them out" >&2
        return 1
    fi
    # What users of the installed copy are pointed to (README.md, aap_guide.rst): the EE definition, the credential type.
    local shipped
    for shipped in extensions/ee/execution-environment.yml extensions/ee/requirements.yml extensions/aap/credential_type.yml; do
        tar -xzOf "$tarball" "$shipped" | cmp -s - "$TREE/$shipped" || {
            echo "the tarball does not hold $shipped as in the checkout (galaxy.yml build_ignore)" >&2; return 1; }
    done
    echo "built $(basename "$tarball"): $(tar -tzf "$tarball" | grep -cv '/$') files, $(du -k "$tarball" | cut -f1) KiB"
    start_sandbox

    # From here on, the only collections are those installed in $inst: no checkout, no tree copy, no sys.path.
    (
        export ANSIBLE_COLLECTIONS_PATH=$inst ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false ANSIBLE_HOME=$work/ansible-home
        export ANSIBLE_ROLES_PATH=$work/no-roles ANSIBLE_NOCOLOR=1 ANSIBLE_LOCALHOST_WARNING=0
        export ANSIBLE_INVENTORY_UNPARSED_WARNING=0
        unset ANSIBLE_CONFIG VIRTUAL_ENV AWS_PROFILE AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE
        cd "$work"
        quiet_run "$work/install.log" ansible-galaxy collection install --offline -p "$inst" "$tarball"
        local col=$inst/ansible_collections/multicloud/oci_aws
        [ -f "$col/MANIFEST.json" ] || { echo "not installed in $col" >&2; return 1; }
        quiet_run "$work/list.log" ansible-galaxy collection list --format json
        "$PY" - "$work/list.log" "$inst/ansible_collections" <<'PYEOF'
import json, sys
found = {path: names for path, names in json.load(open(sys.argv[1])).items()
         if any(not name.startswith("ansible.") for name in names)}  # ansible-core's own internal collections
assert list(found) == [sys.argv[2]] and list(found[sys.argv[2]]) == ["multicloud.oci_aws"], (
    "collections found besides the installed one: %s" % found)
PYEOF

        log "installed: ansible-doc of every module, the lookup and each role's argument spec"
        local name n=0
        for name in "$col"/plugins/modules/*.py; do
            name=$(basename "$name" .py)
            quiet_run "$work/doc.log" ansible-doc -t module "multicloud.oci_aws.$name"
            n=$((n + 1))
        done
        for name in "$col"/plugins/lookup/*.py; do
            name=$(basename "$name" .py)
            quiet_run "$work/doc.log" ansible-doc -t lookup "multicloud.oci_aws.$name"
            n=$((n + 1))
        done
        for name in "$col"/roles/*/meta/argument_specs.yml; do
            name=$(basename "$(dirname "$(dirname "$name")")")
            quiet_run "$work/doc.log" ansible-doc -t role "multicloud.oci_aws.$name"
            grep -Eq "ENTRY POINT: \*?main\*?( |$)" "$work/doc.log" || { cat "$work/doc.log"; return 1; }
            n=$((n + 1))
        done
        quiet_run "$work/doc.log" ansible-doc -l multicloud.oci_aws
        echo "ansible-doc rendered $n entries without a warning"

        log "installed: multicloud.oci_aws.site, then multicloud.oci_aws.teardown, against the sandbox"
        # The example vars file of the installed copy, pointed at the sandbox (the same settings as the molecule
        # scenarios); the client secret goes to this run's private directory. Moto has no AWS managed policies,
        # hence inline policies for the example's roles.
        local vars=(-e @"$col/playbooks/vars/example.yml" -e @"$SANDBOX_DIR/vars.yml"
            -e @"$TREE/extensions/molecule/shared/vars/sandbox.yml" -e oci_oidc_provider_secret_file="$work/secret/client.yml"
            -e '{"aws_oidc_trust_roles": [{"name": "oci-reporting", "max_session_duration": 3600, "inline_policies":
                 {"read": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:List*",
                 "Resource": "*"}]}}}, {"name": "oci-deployer", "max_session_duration": 7200, "inline_policies":
                 {"read": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:List*",
                 "Resource": "*"}]}}}]}')
        logged "$work/site.log" ansible-playbook multicloud.oci_aws.site "${vars[@]}"
        grep -E -A1 '^PLAY RECAP' "$work/site.log"
        # The installed copy's roles ran, and every role was verified.
        grep -q "included: $col/roles/oci_aws_federation/tasks/verify_role.yml for localhost" "$work/site.log"
        grep -Eq "oci-reporting: assumed-role ARN arn:aws:sts::[0-9]+:assumed-role/oci-reporting/" "$work/site.log"
        grep -Eq "oci-deployer: assumed-role ARN arn:aws:sts::[0-9]+:assumed-role/oci-deployer/" "$work/site.log"
        [ -f "$work/secret/client.yml" ] || { echo "site.yml stored no client secret" >&2; return 1; }
        logged "$work/rerun.log" ansible-playbook multicloud.oci_aws.site "${vars[@]}"
        grep -Eq 'localhost +: ok=[0-9]+ +changed=0 +unreachable=0 +failed=0' "$work/rerun.log" || {
            cat "$work/rerun.log"; echo "the second run of site changed something" >&2; return 1; }
        logged "$work/teardown.log" ansible-playbook multicloud.oci_aws.teardown "${vars[@]}" \
            -e oci_oidc_provider_absent_restore_settings=true
        grep -E -A1 '^PLAY RECAP' "$work/teardown.log"
        [ ! -e "$work/secret/client.yml" ] || { echo "teardown left the client secret" >&2; return 1; }
        echo "site, site again (changed=0) and teardown ran from $col"
    )
}

# The support matrix (README.md): the newest ansible-core is the one of $VENV (every suite runs on it); each older one
# named in OCI_AWS_CORE_VERSIONS runs the unit tests and the installed-collection suite from its own venv, with a build
# directory and a sandbox of its own, so that versions can run side by side (OCI_AWS_MATRIX_JOBS at once).
MATRIX_TIMED_TEST=tests/unit/plugins/lookup/test_oci_aws_creds.py::test_a_cache_hit_loads_no_sdk_and_takes_under_a_millisecond

run_matrix() {
    local versions=${OCI_AWS_CORE_VERSIONS:-} jobs=${OCI_AWS_MATRIX_JOBS:-1} v venv started pids=() names=() failed=0 i
    if [ -z "$versions" ]; then
        echo "matrix: no older ansible-core named (OCI_AWS_CORE_VERSIONS is empty): nothing to run"
        return
    fi
    log "matrix: unit and installed on ansible-core $versions ($jobs at once)"
    mkdir -p "$BUILD"
    # Their venvs (.venv-core-<version>), made once: about 11 s each (Makefile). `all` starts making them in the background at
    # its start (start_core_venvs), while the first suites run; wait for that, then make whatever is still missing
    # (a failed background make shows its log here).
    if [ -n "${CORE_VENVS_PID:-}" ]; then
        if ! wait "$CORE_VENVS_PID"; then
            cat "$BUILD/core-venvs.log"
            echo "matrix: making the venvs in the background failed (above); trying once more" >&2
        fi
        CORE_VENVS_PID=
        echo "the venvs of ansible-core $versions (made in the background): $(cat "$BUILD/core-venvs.seconds" 2>/dev/null || echo '?') s"
    fi
    make -C "$ROOT" --no-print-directory core-venvs CORE_VERSIONS="$versions"
    for v in $versions; do
        venv=$ROOT/.venv-core-$v
        [ -x "$venv/bin/ansible" ] || { echo "no venv for ansible-core $v in $venv: run make core-venvs" >&2; return 1; }
        "$venv/bin/python" -c 'import sys; from ansible.release import __version__ as v
sys.exit(0 if v.startswith(sys.argv[1] + ".") else "%s has ansible-core %s, not %s" % (sys.argv[2], v, sys.argv[1]))' "$v" "$venv"
    done
    for v in $versions; do
        while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do sleep 1; done
        started=$(date +%s)
        (
            rc=0
            {
                # The unit tests but the one timing goal (it is the newest's, and bench/'s): versions run side by side.
                log "pytest: unit (ansible-core $v)"
                (cd "$ROOT" && "$ROOT/.venv-core-$v/bin/python" -m pytest -q -p no:cacheprovider tests/unit \
                    --deselect "$MATRIX_TIMED_TEST") &&
                    env -u SANDBOX_DIR VENV="$ROOT/.venv-core-$v" OCI_AWS_BUILD_DIR="$BUILD/core-$v" OCI_AWS_SANDBOX_DIR= \
                        "$ROOT/tests/utils/run-tests.sh" installed
            } >"$BUILD/matrix-$v.log" 2>&1 || rc=$?
            echo "ansible-core $v: unit and installed $([ $rc -eq 0 ] && echo passed || echo FAILED) in $(($(date +%s) - started)) s"
            exit $rc
        ) &
        pids+=($!)
        names+=("$v")
    done
    for i in "${!pids[@]}"; do
        if ! wait "${pids[$i]}"; then
            failed=1
            tail -n 60 "$BUILD/matrix-${names[$i]}.log" || true
            echo "matrix: ansible-core ${names[$i]} failed (whole log: $BUILD/matrix-${names[$i]}.log)" >&2
        else
            grep -E '^[0-9]+ passed|^ansible-doc rendered|^site, site again' "$BUILD/matrix-${names[$i]}.log" |
                sed "s/^/  ${names[$i]}: /" || true
        fi
    done
    return $failed
}

run_ee() {
    # What AWX and Automation Platform build from (docs/docsite/rst/aap_guide.rst): the collection as installed, its
    # requirements as ansible-builder introspects them, and the build context of extensions/ee, made without a
    # container engine (ansible-builder create), with this build's tarball in place of the Galaxy download.
    log "execution environment: ansible-builder introspect of the installed collection, ansible-builder create"
    command -v ansible-builder >/dev/null || { echo "ansible-builder is missing: make venv (requirements-test.txt)" >&2; return 1; }
    make_tree
    local ee=$BUILD/ee tarball
    rm -rf "$ee"
    mkdir -p "$ee/dist" "$ee/collections" "$ee/def"
    (cd "$TREE" && ansible-galaxy collection build --output-path "$ee/dist" >/dev/null)
    tarball=$(echo "$ee"/dist/multicloud-oci_aws-*.tar.gz)
    ANSIBLE_COLLECTIONS_PATH=$ee/collections quiet_run "$ee/install.log" \
        ansible-galaxy collection install --offline -p "$ee/collections" "$tarball"
    ansible-builder introspect "$ee/collections" >"$ee/introspect.yml" 2>"$ee/introspect.err" ||
        { cat "$ee/introspect.err"; return 1; }
    "$PY" - "$ee/introspect.yml" "$ROOT/requirements.txt" "$ROOT/bindep.txt" <<'PYEOF'
import sys, yaml
found = yaml.safe_load(open(sys.argv[1]))
def entries(path):
    return [line.split("#")[0].strip() for line in open(path) if line.split("#")[0].strip()]
for kind, path in (("python", sys.argv[2]), ("system", sys.argv[3])):
    listed = [entry.split("#")[0].strip() for entry in found.get(kind) or []]
    assert listed == entries(path), "introspect lists %s %s, the collection declares %s" % (kind, listed, entries(path))
    assert all("from collection multicloud.oci_aws" in entry for entry in found[kind]), found[kind]
print("introspect: python %s; system %s" % (", ".join(entries(sys.argv[2])), ", ".join(entries(sys.argv[3]))))
PYEOF
    # The shipped definition, as the installed copy holds it, with the tarball just built as the collection (a file in
    # the build context).
    cp "$tarball" "$ee/def/"
    "$PY" - "$ee/collections/ansible_collections/multicloud/oci_aws/extensions/ee/execution-environment.yml" "$ee/def" "$(basename "$tarball")" <<'PYEOF'
import sys, yaml
definition = yaml.safe_load(open(sys.argv[1]))
definition["dependencies"]["galaxy"] = {"collections": [{"name": "collections/" + sys.argv[3], "type": "file"}]}
definition["additional_build_files"] = [{"src": sys.argv[3], "dest": "collections"}]
yaml.safe_dump(definition, open(sys.argv[2] + "/execution-environment.yml", "w"), sort_keys=False)
PYEOF
    (cd "$ee/def" && quiet_run "$ee/create.log" ansible-builder create -f execution-environment.yml -c "$ee/context" --output-filename Containerfile -v 2)
    grep -q "ansible-galaxy collection install" "$ee/context/Containerfile" &&
        grep -q "introspect" "$ee/context/Containerfile" &&
        grep -q "ansible-core>=2.16.0,<2.20" "$ee/context/Containerfile" &&
        [ -f "$ee/context/_build/collections/$(basename "$tarball")" ] || {
        cat "$ee/create.log"; echo "ansible-builder create made no usable context in $ee/context" >&2; return 1; }
    echo "ansible-builder create: $ee/context/Containerfile ($(wc -l <"$ee/context/Containerfile") lines)"
}

run_docs() {
    # The documentation as users read it: antsibull-docs lint-collection-docs, then the collection's docsite built
    # with antsibull-docs and Sphinx, failing on any warning.
    log "docs: antsibull-docs lint-collection-docs, and the docsite built with antsibull-docs (no warnings)"
    command -v antsibull-docs >/dev/null || { echo "antsibull-docs is missing: make venv (requirements-test.txt)" >&2; return 1; }
    make_tree
    (cd "$TREE" && ANSIBLE_COLLECTIONS_PATH=$BUILD logged "$BUILD/docs-lint.log" antsibull-docs lint-collection-docs --plugin-docs .)
    echo "antsibull-docs lint-collection-docs: no problem"
    local site=$BUILD/docsite
    rm -rf "$site"
    mkdir -p "$site"
    ANSIBLE_COLLECTIONS_PATH=$BUILD logged "$BUILD/docs-init.log" antsibull-docs sphinx-init --use-current --fail-on-error \
        --dest-dir "$site" multicloud.oci_aws
    # No network: the labels of docs.ansible.com the pages link to come from a local inventory, nothing else is fetched.
    "$PY" "$ROOT/tests/utils/ansible_docs_inventory.py" "$site/ansible_devel.inv"
    printf '%s\n' '' '# run-tests.sh docs: offline, Ansible'"'"'s labels from a local inventory (tests/utils/ansible_docs_inventory.py)' \
        "intersphinx_mapping = {'ansible_devel': ('https://docs.ansible.com/projects/ansible/devel/', '../ansible_devel.inv')}" \
        >>"$site/conf.py"
    (cd "$site" && ANSIBLE_COLLECTIONS_PATH=$BUILD logged "$BUILD/docs-build.log" ./build.sh)
    if grep -Ei "warning|error" "$BUILD/docs-build.log"; then
        echo "the docsite build printed the warnings above" >&2
        return 1
    fi
    echo "docsite built without a warning: $site/build/html/index.html"
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

# `make test` must end within CI's 45 minutes on 2 cores, of which the venvs take about 6. The suites that every
# change must pass run first, in full: unit, sanity, lint, security, fidelity (the sandbox's own tests and the whole
# end-to-end suite under the pessimistic profile). The others follow in this order, each only while it can still end
# inside the budget (OCI_AWS_TEST_BUDGET seconds of this script, 0 = no budget); a suite skipped for time says so,
# and runs alone with `tests/utils/run-tests.sh <suite>` (or all of them with OCI_AWS_TEST_BUDGET=0 make test).
# The figures are the seconds each took on 2 cores (the "durations" table this script prints at its end): installed
# 68 s and ee 4 s alone (230 s for installed beside other load), matrix 128 s for its three releases at once on an
# otherwise idle machine (372 s beside other load), its venvs made in the background beforehand (about 11 s each, Makefile).
BUDGET=${OCI_AWS_TEST_BUDGET:-2220}
REST="realshape:180 installed:90 docs:120 ee:30 matrix:150 integration:240 molecule:80"

within_budget() {
    if [ "$BUDGET" -gt 0 ] && [ $((SECONDS + $2)) -gt "$BUDGET" ]; then
        echo "SKIPPED $1 for time: at ${SECONDS} s it would end after the budget of ${BUDGET} s (it takes about $2 s);" \
             "run it with tests/utils/run-tests.sh $1, or every suite with OCI_AWS_TEST_BUDGET=0 make test"
        return 1
    fi
}

# Each suite's duration, printed when it ends and again, all of them, when the script ends (passed or not): the
# figures of REST above come from these lines of a CI run.
# (The suite runs as a plain command, not behind `||`: that would switch set -e off inside it.)
TIMES=()
CURRENT=
timed() {
    CURRENT=$1:$SECONDS
    "run_$1"
    TIMES+=("$1:$((SECONDS - ${CURRENT#*:})):passed")
    echo "--- suite $1 passed in $((SECONDS - ${CURRENT#*:})) s"
    CURRENT=
}
summary() {
    local entry name took state
    if [ -n "$CURRENT" ]; then
        TIMES+=("${CURRENT%%:*}:$((SECONDS - ${CURRENT#*:})):FAILED")
        CURRENT=
    fi
    [ ${#TIMES[@]} -gt 0 ] || return 0
    printf '\n=== durations (s) ===\n'
    for entry in "${TIMES[@]}"; do
        IFS=: read -r name took state <<<"$entry"
        printf '%-12s %6s  %s\n' "$name" "$took" "$state"
    done
    printf '%-12s %6s\n' total "$SECONDS"
}

# `all` makes the matrix's venvs (make core-venvs) in the background from its start, beside unit and sanity: on a fresh
# machine pip waits on its downloads of each ansible-core (about 9 s of CPU a venv otherwise, Makefile).
CORE_VENVS_PID=
start_core_venvs() {
    [ -n "${OCI_AWS_CORE_VERSIONS:-}" ] || return 0
    mkdir -p "$BUILD"
    ( started=$SECONDS; make -C "$ROOT" --no-print-directory core-venvs CORE_VERSIONS="$OCI_AWS_CORE_VERSIONS" &&
        echo $((SECONDS - started)) >"$BUILD/core-venvs.seconds" ) >"$BUILD/core-venvs.log" 2>&1 &
    CORE_VENVS_PID=$!
}

run_rest() {
    local entry
    for entry in $REST; do
        if within_budget "${entry%%:*}" "${entry##*:}"; then
            timed "${entry%%:*}"
        fi
    done
}

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(all)
for suite in "${suites[@]}"; do
    case $suite in
        all) start_core_venvs; timed unit; timed sanity; timed lint; timed security; timed fidelity; run_rest ;;
        rest) run_rest ;;
        unit|fidelity|realshape|security|molecule|installed|matrix|ee|docs|sanity|lint|integration) timed "$suite" ;;
        *) echo "unknown suite: $suite" >&2; exit 2 ;;
    esac
done
log "all requested suites passed"
