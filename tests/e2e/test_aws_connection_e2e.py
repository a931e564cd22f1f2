"""One AWS connection dictionary, with amazon.aws's option names (its aliases), set once through
``module_defaults: group/multicloud.oci_aws.aws`` for both AWS modules of the collection (issue 16, section 3):
aws_oidc_role makes the provider and the role with it, oci_aws_assume exchanges a token with it. The same names are
asserted against amazon.aws's own list in tests/unit/plugins/module_utils/test_options.py."""

import json

from e2e.exchange_support import Federation, ansible_env, run_playbook

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  vars:
    # What users write once for group/amazon.aws.aws (amazon.aws's names and aliases).
    aws_connection:
      aws_access_key_id: "%(access_key)s"
      aws_secret_access_key: "%(secret_key)s"
      aws_region: us-east-1
      aws_endpoint_url: "%(endpoint)s"
      aws_ca_bundle: "%(ca_bundle)s"
      validate_certs: true
      aws_config:
        max_pool_connections: 2
        connect_timeout: 5
      debug_botocore_endpoint_logs: true
  module_defaults:
    group/multicloud.oci_aws.aws: "{{ aws_connection }}"
  tasks:
    - name: The provider and the role, with the connection of the group
      multicloud.oci_aws.aws_oidc_role:
        issuer_url: "%(domain_url)s"
        role_name: "%(role_name)s"
        subjects: ["%(client_id)s"]
      register: role
    - name: The exchange, with the same connection
      multicloud.oci_aws.oci_aws_assume:
        domain_url: "%(domain_url)s"
        client_id: "%(client_id)s"
        client_secret: "{{ lookup('ansible.builtin.env', 'E2E_CLIENT_SECRET') }}"
        role_arn: "{{ role.role.arn }}"
      register: assumed
      no_log: true
    - name: What the test reads (no secret)
      ansible.builtin.copy:
        dest: "%(out)s"
        mode: "0600"
        content: "{{ {'role': role.resource_actions, 'assume': assumed.resource_actions,
                      'arn': assumed.assumed_role_arn, 'changed': role.changed} | to_json }}"
"""


def test_one_amazon_aws_connection_dict_serves_both_aws_modules(fresh_sandbox, home, tmp_path):
    federation = Federation(fresh_sandbox).build(role=False)
    env = ansible_env(fresh_sandbox, home, E2E_CLIENT_SECRET=federation.client_secret)
    sandbox_env = fresh_sandbox.env
    # Only the dictionary says where AWS is and as whom to call it.
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL", "AWS_CA_BUNDLE", "AWS_DEFAULT_REGION",
                 "AWS_REGION", "AWS_PROFILE"):
        env.pop(name, None)
    out = tmp_path / "out.json"
    playbook = PLAYBOOK % dict(
        access_key=sandbox_env["AWS_ACCESS_KEY_ID"], secret_key=sandbox_env["AWS_SECRET_ACCESS_KEY"],
        endpoint=fresh_sandbox.aws_endpoint, ca_bundle=fresh_sandbox.ca_bundle, domain_url=fresh_sandbox.domain_url,
        role_name=federation.procedure.role_name, client_id=federation.client_id, out=out)
    done = run_playbook(env, tmp_path, playbook)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    result = json.loads(out.read_text())
    assert result["changed"] is True
    assert {"iam:CreateOpenIDConnectProvider", "iam:CreateRole"} <= set(result["role"])
    assert result["assume"] == ["sts:AssumeRoleWithWebIdentity"]
    assert result["arn"] == federation.session_arn
    assert sandbox_env["AWS_SECRET_ACCESS_KEY"] not in done.stdout + done.stderr
    assert federation.client_secret not in done.stdout + done.stderr
