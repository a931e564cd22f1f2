"""A converged run of the role aws_oidc_trust reads the shared provider once, each role and policy once, and writes
nothing (issue 17 §3); the only other reads are the purge listings of each role.

The role runs twice through ``ansible-playbook`` against the sandbox, with two roles of one inline policy each; the
sandbox's request counters of the second run are compared per endpoint, so that a read that comes back (the shared
provider read by every role's call, a listing of the account's providers) fails here.
"""

import json
import os
import subprocess

from conftest import COLLECTIONS_BASE
from e2e.exchange_support import BIN, ansible_env

POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}]}
ROLES = ("rerun-a", "rerun-b")
PLAY = """
- hosts: localhost
  connection: local
  gather_facts: false
  roles:
    - role: multicloud.oci_aws.aws_oidc_trust
"""


def _run(sandbox, directory):
    variables = dict(
        aws_oidc_trust_state="present",
        aws_oidc_trust_issuer_url=sandbox.domain_url,
        aws_oidc_trust_audience="sts.amazon.com",
        aws_oidc_trust_subjects=["client-1"],
        aws_oidc_trust_thumbprints=["a" * 40],
        aws_oidc_trust_profile="",
        aws_oidc_trust_region=sandbox.env["AWS_REGION"],
        aws_oidc_trust_endpoint_url=sandbox.aws_endpoint,
        aws_oidc_trust_aws_ca_bundle=sandbox.ca_bundle,
        aws_oidc_trust_roles=[dict(name=name, inline_policies={"read": POLICY}) for name in ROLES],
    )
    vars_file = os.path.join(directory, "vars.json")
    with open(vars_file, "w") as handle:
        json.dump(variables, handle)
    playbook = os.path.join(directory, "play.yml")
    with open(playbook, "w") as handle:
        handle.write(PLAY)
    env = ansible_env(sandbox, os.path.join(directory, "home"), ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_BASE)
    env.update(AWS_ACCESS_KEY_ID=sandbox.env["AWS_ACCESS_KEY_ID"], AWS_SECRET_ACCESS_KEY=sandbox.env["AWS_SECRET_ACCESS_KEY"])
    sandbox.reset_counters()
    done = subprocess.run([os.path.join(BIN, "ansible-playbook"), playbook, "-e", "@" + vars_file], env=env,
                          capture_output=True, text=True, timeout=300, check=False, cwd=directory)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return dict((key, n) for key, n in sandbox.counters()["aws"]["endpoints"].items() if n)


def test_a_converged_run_reads_the_provider_once_and_each_role_with_its_policies(fresh_sandbox, tmp_path):
    first = _run(fresh_sandbox, str(tmp_path))
    assert first["iam:CreateRole"] == len(ROLES) and first["iam:CreateOpenIDConnectProvider"] == 1
    # A new role learns the account from the provider task's ARN: no listing of the providers, ever.
    assert "iam:ListOpenIDConnectProviders" not in first
    second = _run(fresh_sandbox, str(tmp_path))
    assert second == {
        # The shared provider, read once for the whole list by the provider's task (its account from STS, once).
        "iam:GetOpenIDConnectProvider": 1,
        "sts:GetCallerIdentity": 1,
        # Each role: itself, and its policies. The role's items are the whole truth about their roles (purge_* true):
        # the listings find an inline or managed policy added by hand, which the next run removes.
        "iam:GetRole": len(ROLES),
        "iam:ListRolePolicies": len(ROLES),
        "iam:GetRolePolicy": len(ROLES),
        "iam:ListAttachedRolePolicies": len(ROLES),
    }
