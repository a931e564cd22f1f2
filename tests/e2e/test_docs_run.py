"""Every EXAMPLES block of every plugin and every block of the README and the guides marked runnable
(tests/docs_blocks.py) is run with ansible-playbook against the sandbox (issue 16 item 2), on a federation made by
the manual procedure whose role is the docs' ``oci-reporting`` (the sandbox's account is the docs' 123456789012).

Added to each block: the sandbox's endpoints and CA (the environment; the docs' placeholder domain URL replaced by
the sandbox's), and the federation's values as the variables the docs tell users to set. A block that needs a
collection that is not installed (amazon.aws: not in the test venv, and Galaxy is out of reach) is skipped, naming it.
"""

import os

import pytest

import docs_blocks
from e2e.exchange_support import BIN, Federation, ansible_env

BLOCKS = docs_blocks.all_blocks()
EXCHANGES = ("multicloud.oci_aws.oci_aws_creds", "multicloud.oci_aws.oci_aws_assume")
# Blocks that cannot run against the sandbox as they are written, each with the reason; the test of each one is a
# strict xfail, so that it fails the day the block runs and the entry must go.
NOT_RUNNABLE = {
    "plugins/modules/aws_oidc_role.py": "uses the AWS profile iam-admin, which the sandbox's AWS settings do not have",
    "plugins/modules/oci_token_policy.py": "uses the OCI config profile ADMIN; the sandbox's OCI config has DEFAULT only",
}

# Blocks not run at all: they would write outside the test's own directories.
NOT_RUN = {
    "plugins/modules/oci_oidc_app.py": "writes the secret to ~/.oci/aws-sts-oidc.secret, and Ansible expands ~ to the "
                                       "real home of the user running the tests, not the test's HOME; it also uses the "
                                       "OCI config profile ADMIN, which the sandbox's OCI config does not have",
}


def _installed_collections():
    return ()  # the test venv has ansible-core's own collection only, besides this one


def _variables(sandbox, federation):
    """The values the docs ask users to give, from the federation (none for the blocks that set one up)."""
    values = dict(domain_url=sandbox.domain_url, oci_domain_url=sandbox.domain_url)
    if federation is not None:
        values.update(oci_client_id=federation.client_id, oci_client_secret=federation.client_secret,
                      vault_oci_client_id=federation.client_id, vault_oci_client_secret=federation.client_secret,
                      role_arn=federation.role_arn)
    args = []
    for name, value in values.items():
        args += ["-e", "%s=%s" % (name, value)]
    return args


@pytest.mark.parametrize("block", BLOCKS, ids=["%s:%d" % (b.source, b.line) for b in BLOCKS])
def test_the_block_runs_against_the_sandbox(block, fresh_sandbox, home, tmp_path, request):
    missing = docs_blocks.missing_collections(block, _installed_collections())
    if missing:
        pytest.skip("needs %s, which is not installed: Galaxy is out of reach, and the test venv does not install PyPI's "
                    "ansible package (ansible 12 bundles amazon.aws 10)" % ", ".join(missing))
    if block.source in NOT_RUN:
        pytest.skip(NOT_RUN[block.source])
    if block.source in NOT_RUNNABLE:
        request.applymarker(pytest.mark.xfail(reason=NOT_RUNNABLE[block.source], strict=True))
    env = ansible_env(fresh_sandbox, home)
    federation = None
    if any(name in block.text for name in EXCHANGES):
        # Blocks that get credentials run on a federation; those that set one up (the OCI and IAM modules), on an
        # empty sandbox.
        federation = Federation(fresh_sandbox, role_name="oci-reporting").build()
        # The client comes from the block's variables or, for blocks that say so, from the environment as the
        # Automation Platform credential type injects it.
        env.update(OCI_AWS_CLIENT_ID=federation.client_id, OCI_AWS_CLIENT_SECRET=federation.client_secret)
    done = docs_blocks.run(block, tmp_path, os.path.join(BIN, "ansible-playbook"), env,
                           *_variables(fresh_sandbox, federation), domain_url=fresh_sandbox.domain_url)
    assert done.returncode == 0, "%s:%d failed:\n%s\n%s" % (
        block.source, block.line, done.stdout[-4000:], done.stderr[-2000:])
    assert federation is None or federation.client_secret not in done.stdout + done.stderr
