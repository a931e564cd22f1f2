"""End to end (issue 16 §3): oracle.oci's environment authentication. With only the OCI_* variables of an API key
(no config file anywhere), the modules sign their requests and the sandbox domain, which verifies every admin
request's signature (sandbox/src/oci_aws_sandbox/idcs/httpsig.py), accepts them; a wrong fingerprint is refused;
the role oci_oidc_provider, given no auth_type, honours OCI_ANSIBLE_AUTH_TYPE."""

import configparser
import os
import subprocess
import sys

from e2e.exchange_support import ansible_env, run_playbook


def env_only(sandbox, home, **changes):
    """The Ansible environment with the sandbox's API key given by OCI_USER_ID & co. and no OCI config file."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(sandbox.env["OCI_CONFIG_FILE"])
    profile = parser[sandbox.env["OCI_CONFIG_PROFILE"]]
    env = ansible_env(sandbox, home, OCI_USER_ID=profile["user"], OCI_USER_FINGERPRINT=profile["fingerprint"],
                      OCI_USER_KEY_FILE=profile["key_file"], OCI_TENANCY=profile["tenancy"],
                      OCI_REGION=profile.get("region", "us-ashburn-1"))
    for name in ("OCI_CONFIG_FILE", "OCI_CONFIG_PROFILE"):
        env.pop(name, None)
    env.update(changes)
    assert not os.path.exists(os.path.join(str(home), ".oci", "config"))
    return env


def run_info(env, sandbox):
    command = [os.path.join(os.path.dirname(sys.executable), "ansible"), "localhost", "-m",
               "multicloud.oci_aws.oci_token_policy_info", "-a", "domain_url=%s" % sandbox.domain_url]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=180, check=False)


def test_the_oci_environment_alone_authenticates(sandbox, home):
    done = run_info(env_only(sandbox, home), sandbox)
    assert "SUCCESS" in done.stdout and '"issuer"' in done.stdout, done.stdout + done.stderr


def test_a_wrong_fingerprint_from_the_environment_is_refused_by_the_domain(sandbox, home):
    done = run_info(env_only(sandbox, home, OCI_USER_FINGERPRINT="00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff"),
                    sandbox)
    assert "FAILED" in done.stdout and "HTTP 401" in done.stdout, done.stdout + done.stderr


ROLE = """
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - ansible.builtin.include_role:
        name: multicloud.oci_aws.oci_oidc_provider
        tasks_from: issuer.yml
      vars:
        oci_oidc_provider_domain_url: %s
"""


def test_the_role_without_auth_type_honours_oci_ansible_auth_type(sandbox, home, tmp_path):
    env = env_only(sandbox, home, OCI_ANSIBLE_AUTH_TYPE="resource_principal")
    done = run_playbook(env, tmp_path, ROLE % sandbox.domain_url)
    assert done.returncode != 0 and "auth_type=resource_principal" in done.stdout, done.stdout[-3000:]
    del env["OCI_ANSIBLE_AUTH_TYPE"]
    done = run_playbook(env, tmp_path, ROLE % sandbox.domain_url)
    assert done.returncode == 0, done.stdout[-3000:]
