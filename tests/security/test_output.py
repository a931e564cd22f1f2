"""Threats to secrets through what ansible-core itself prints (threat model: output).

These tests keep the security guide's statements about ansible-core honest: when a future
ansible-core changes what it prints, they fail and the guide must be updated.
"""

import os
import sys

from conftest import COLLECTIONS_BASE
from e2e.exchange_support import run_playbook

SECRET = "Threat3-client-secret-7f0c2a9e"

# Refused before any request (role_arn is not an ARN): ansible-core has already logged the arguments by then.
PLAYBOOK = """
- name: A module call with a secret option
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: The secret is an option marked no_log
      multicloud.oci_aws.oci_aws_assume:
        domain_url: https://idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com
        client_id: 0123456789abcdef0123456789abcdef
        client_secret: "{{ lookup('ansible.builtin.env', 'TEST_CLIENT_SECRET') }}"
        role_arn: not-an-arn
        region: eu-central-1
      ignore_errors: true
"""


def _env(home, **extra):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ANSIBLE_", "AWS_", "OCI_"))}
    env.update(HOME=str(home), ANSIBLE_HOME=str(home / ".ansible"), ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_BASE,
               ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
               ANSIBLE_PYTHON_INTERPRETER=sys.executable, TEST_CLIENT_SECRET=SECRET)
    env.update(extra)
    return env


def test_ansible_debug_prints_module_arguments_but_verbosity_does_not(tmp_path):
    """Threat 3: ANSIBLE_DEBUG=1 makes ansible-core log every module's arguments, no_log ones included.

    The guide says so and tells users never to set it where secrets are passed; -vvvv alone does not print them.
    """
    home = tmp_path / "home"
    home.mkdir()
    verbose = run_playbook(_env(home), tmp_path, PLAYBOOK, "-vvvv")
    assert verbose.returncode == 0, verbose.stdout + verbose.stderr
    assert "role_arn must be" in verbose.stdout  # the module ran and refused its input
    assert SECRET not in verbose.stdout + verbose.stderr

    debug = run_playbook(_env(home, ANSIBLE_DEBUG="1"), tmp_path, PLAYBOOK)
    assert debug.returncode == 0, debug.stdout[-2000:] + debug.stderr[-2000:]
    logged = [line for line in (debug.stdout + debug.stderr).splitlines() if SECRET in line]
    assert logged, "ansible-core no longer prints module arguments at ANSIBLE_DEBUG=1: update docs/docsite/rst/security.rst"
    assert all("_execute_module" in line for line in logged), "the secret appears in an unexpected debug line"
