#!/usr/bin/env bash
# make demo: the whole federation with the collection's own playbooks, against the local sandbox.
#   1. start the sandbox in .sandbox (stopped again on exit, whatever happens). Its identity domain has the real
#      shape, https://idcs-<32 hex>.identity.oraclecloud.com on 443 without a port, so the issuer, the IAM provider
#      ARN and the trust policy's condition keys look as they will against a real domain: the demo runs in a private
#      network, PID and mount namespace where that name resolves to 127.0.0.1 (tests/utils/netns-run.sh; nothing
#      of the machine changes). Where no namespace can be made, or a sandbox already runs in .sandbox, the domain is
#      https://127.0.0.1:<port> instead, said in one line, and the tools warn about its port;
#   2. playbooks/site.yml: identity domain, IAM provider and roles, each role verified with STS GetCallerIdentity;
#   3. playbooks/use_credentials.yml: the lookup, module_defaults, and an S3 call through a credential_process profile;
#   4. site.yml again, as the installed collection's multicloud.oci_aws.site: changed=0, and the sandbox's
#      counters show no write request to either cloud;
#   5. playbooks/teardown.yml.
# Only the assumed-role ARNs and the credentials' expiry are shown, never a secret. The venv is made by `make demo`.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VENV=${VENV:-$ROOT/.venv}
PY=$VENV/bin/python
export PATH=$VENV/bin:$PATH
DIR=$ROOT/.sandbox
cd "$ROOT"

# The playbooks address the collection by FQCN: put the checkout on a collections path, as installing it would.
case $ROOT in
    */ansible_collections/multicloud/oci_aws) COLLECTIONS=${ROOT%/ansible_collections/multicloud/oci_aws} ;;
    *)
        COLLECTIONS=$ROOT/.build/demo
        mkdir -p "$COLLECTIONS/ansible_collections/multicloud"
        ln -sfn "$ROOT" "$COLLECTIONS/ansible_collections/multicloud/oci_aws"
        ;;
esac
export ANSIBLE_COLLECTIONS_PATH=$COLLECTIONS
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_LOCALHOST_WARNING=0 ANSIBLE_INVENTORY_UNPARSED_WARNING=0
# The lookup's cache and the AWS CLI's own cache stay in the sandbox directory, not in the user's home.
export OCI_AWS_CREDS_CACHE_DIR=$DIR/cache AWS_CLI_HOME=$DIR/aws-cli
# Nothing of the user's own AWS or OCI settings may leak into the demo.
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE

# The real-shaped domain: re-run this script inside namespaces of its own where its host name is 127.0.0.1.
if [ -z "${OCI_AWS_DEMO_DOMAIN_HOST:-}" ]; then
    if "$PY" -c 'import sys; from oci_aws_sandbox.handle import attach; sys.exit(attach(sys.argv[1]) is None)' "$DIR"; then
        echo "notice: a sandbox already runs in .sandbox: the demo uses it, with its domain URL https://127.0.0.1:<port>"
    elif why=$("$ROOT/tests/utils/netns-run.sh" --check 2>&1); then
        id=idcs-$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
        OCI_AWS_DEMO_DOMAIN_HOST=$id.identity.oraclecloud.com exec "$ROOT/tests/utils/netns-run.sh" \
            "$id.identity.oraclecloud.com" -- bash "$0" "$@"
    else
        echo "notice: the domain is https://127.0.0.1:<port>, not the real shape (no private namespace here: ${why#netns-run.sh: })"
    fi
fi
SANDBOX_UP=(--dir "$DIR")
[ -z "${OCI_AWS_DEMO_DOMAIN_HOST:-}" ] || SANDBOX_UP+=(--domain-host "$OCI_AWS_DEMO_DOMAIN_HOST" --oci-port 443)

step() { printf '\n==== %s ====\n' "$*"; }
stop_sandbox() {
    local rc=$?
    "$PY" -m oci_aws_sandbox down --dir "$DIR" >/dev/null 2>&1 || true
    # The demo's own files: the credential_process settings and the lookup's cache hold secrets of a dead sandbox.
    rm -rf "$DIR/demo.yml" "$DIR/client.yml" "$DIR/aws" "$DIR/cache" "$DIR/aws-cli" "$DIR/rerun.log"
    if [ $rc -ne 0 ]; then echo "demo FAILED (exit $rc); the sandbox is stopped" >&2; fi
    exit $rc
}
counters() {  # counters <label>: the sandbox's requests by kind, per cloud
    "$PY" - "$1" <<'PYEOF'
import sys
from oci_aws_sandbox.handle import attach
snap = attach(".sandbox").counters()
print("%s: " % sys.argv[1] + "; ".join(
    "%s %s" % (cloud, ", ".join("%s=%d" % kv for kv in sorted(snap[cloud]["summary"].items())) or "none")
    for cloud in ("oci", "aws")))
PYEOF
}

started=$(date +%s)
step "Starting the sandbox (emulated OCI Identity Domain, AWS IAM/STS/S3) in .sandbox"
"$PY" -m oci_aws_sandbox up "${SANDBOX_UP[@]}" >/dev/null
trap stop_sandbox EXIT
"$PY" -c 'import sys; from oci_aws_sandbox.handle import attach; print("up: identity domain", attach(sys.argv[1]).domain_url)' "$DIR"

# What the playbooks need besides the sandbox's own settings (.sandbox/vars.yml): where the sandbox's endpoints,
# CA and keys are, under the roles' variable names. The rest comes from playbooks/vars/example.yml, as for a user.
cat >"$DIR/demo.yml" <<EOF
---
oci_oidc_provider_domain_url: "{{ oci_domain_url }}"
oci_oidc_provider_config_file_location: "{{ oci_config_file }}"
oci_oidc_provider_config_profile_name: "{{ oci_config_profile }}"
oci_oidc_provider_cert_bundle: "{{ sandbox_ca_bundle }}"
oci_oidc_provider_secret_file: $DIR/client.yml
aws_oidc_trust_profile: ""
aws_oidc_trust_region: "{{ aws_region }}"
aws_oidc_trust_endpoint_url: "{{ aws_endpoint_url }}"
aws_oidc_trust_aws_ca_bundle: "{{ aws_ca_bundle }}"
aws_oidc_trust_access_key: "{{ aws_access_key_id }}"
aws_oidc_trust_secret_key: "{{ aws_secret_access_key }}"
# The lookup's and use_credentials.yml's settings.
oci_aws_cert_bundle: "{{ sandbox_ca_bundle }}"
oci_aws_role_arn: "arn:aws:iam::{{ sandbox_aws_account_id }}:role/oci-reporting"
use_credentials_aws_config_file: $DIR/aws/config
use_credentials_process_dir: $DIR/aws/multicloud.oci_aws
EOF
chmod 600 "$DIR/demo.yml"
VARS=(-e @playbooks/vars/example.yml -e @"$DIR/vars.yml" -e @"$DIR/demo.yml")
# Moto has no AWS managed policies: give the example's second role an inline policy instead.
VARS+=(-e '{"aws_oidc_trust_roles": [{"name": "oci-reporting", "max_session_duration": 3600,
  "inline_policies": {"read": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Action": ["s3:ListAllMyBuckets", "s3:ListBucket", "s3:GetObject"], "Resource": "*"}]}}},
  {"name": "oci-deployer", "max_session_duration": 7200, "inline_policies": {"read": {"Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": "s3:List*", "Resource": "*"}]}}}]}')

step "playbooks/site.yml: steps 1 to 5, then every role verified"
ansible-playbook playbooks/site.yml "${VARS[@]}"

# What AWS now trusts, as a newcomer will see it in the IAM console; and something for the S3 call to find: a bucket
# made with the sandbox's administrator keys.
"$PY" - <<'PYEOF'
import json
import boto3
from oci_aws_sandbox.handle import attach
sandbox = attach(".sandbox")
settings = dict(endpoint_url=sandbox.aws_endpoint, verify=sandbox.ca_bundle, region_name=sandbox.env["AWS_REGION"],
                aws_access_key_id=sandbox.env["AWS_ACCESS_KEY_ID"], aws_secret_access_key=sandbox.env["AWS_SECRET_ACCESS_KEY"])
iam = boto3.client("iam", **settings)
for provider in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]:
    print("IAM OIDC provider  %s" % provider["Arn"])
trust = iam.get_role(RoleName="oci-reporting")["Role"]["AssumeRolePolicyDocument"]
trust = json.loads(trust) if isinstance(trust, str) else trust
keys = sorted(key for statement in trust["Statement"] for test in statement.get("Condition", {}).values() for key in test)
print("trust policy of oci-reporting: condition keys %s" % ", ".join(keys))
boto3.client("s3", **settings).create_bucket(Bucket="oci-aws-demo-reports")
PYEOF

step "playbooks/use_credentials.yml: the lookup, module_defaults, and the AWS CLI through credential_process"
ansible-playbook playbooks/use_credentials.yml "${VARS[@]}"

step "site.yml again, as multicloud.oci_aws.site: nothing to change, no write request"
"$PY" -c 'from oci_aws_sandbox.handle import attach; attach(".sandbox").reset_counters()'
ansible-playbook multicloud.oci_aws.site "${VARS[@]}" >"$DIR/rerun.log" || { cat "$DIR/rerun.log"; exit 1; }
grep -E -A1 '^PLAY RECAP' "$DIR/rerun.log"
counters "requests of the second run"
grep -q 'changed=0 ' "$DIR/rerun.log" || { echo "the second run changed something" >&2; exit 1; }
"$PY" -c 'import sys; from oci_aws_sandbox.handle import attach; sys.exit(attach(".sandbox").writes() != 0)' || {
    echo "the second run made write requests" >&2; exit 1; }

step "playbooks/teardown.yml: roles, IAM provider, app, stored secret removed; default issuer and private keys back"
ansible-playbook playbooks/teardown.yml "${VARS[@]}" -e oci_oidc_provider_absent_restore_settings=true

step "Done in $(($(date +%s) - started)) s; stopping the sandbox"
