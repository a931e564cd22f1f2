"""No secret in the output at -vvvv (diff on) when the module and the lookup are used the ways the
guide recommends: the client secret, every token, the AWS secret keys and session tokens are
searched for by value, in the output and in every file the run left that is not private (0600).

And the reason the guide keeps secrets out of the ``environment`` keyword: ansible-core prints its
values in the ``EXEC`` lines at -vvv, even for a task with ``no_log: true``.
"""

import json
import os
import re
import stat

import pytest

from e2e.exchange_support import LOOKUP, MODULE, Federation, ansible_env, run_playbook

JWT = re.compile(r"eyJ[\w-]{8,}\.eyJ[\w-]{8,}")
MOTO_SESSION_TOKEN = "FQoGZXIvYXdzE"  # how every session token of the sandbox's STS begins

RECOMMENDED = """
- name: The exchange, the ways the guide recommends
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    oci_aws_domain_url: "%(domain_url)s"
    oci_aws_client_id: "%(client_id)s"
    oci_aws_client_secret: "{{ lookup('env', 'TEST_CLIENT_SECRET') }}"
    oci_aws_role_arn: "%(role_arn)s"
    creds: "{{ lookup('%(lookup)s') }}"
  tasks:
    - name: The module returns credentials and writes both profiles (no_log, as in its EXAMPLES)
      %(module)s:
        domain_url: "{{ oci_aws_domain_url }}"
        client_id: "{{ oci_aws_client_id }}"
        client_secret: "{{ oci_aws_client_secret }}"
        role_arn: "{{ oci_aws_role_arn }}"
        credentials_profile: oci-static
        credential_process_profile: oci-process
      register: assumed
      no_log: true

    - name: Credentials of the lookup, through module_defaults, to a module whose secret options are no_log
      module_defaults:
        group/multicloud.oci_aws.aws:
          access_key: "{{ creds.access_key }}"
          secret_key: "{{ creds.secret_key }}"
          session_token: "{{ creds.session_token }}"
      multicloud.oci_aws.aws_oidc_role:
        issuer_url: "{{ oci_aws_domain_url }}"
        adopt: true  # the provider was made by the manual procedure, not by the collection

    - name: Credentials of the module, the same way
      module_defaults:
        group/multicloud.oci_aws.aws:
          access_key: "{{ assumed.access_key }}"
          secret_key: "{{ assumed.secret_key }}"
          session_token: "{{ assumed.session_token }}"
      multicloud.oci_aws.aws_oidc_role:
        issuer_url: "{{ oci_aws_domain_url }}"

    - name: A program using a profile by name (credential_process, then the shared credentials file)
      ansible.builtin.command:
        argv: ["%(python)s", "-c", "%(program)s", "{{ item }}"]
      environment:
        AWS_PROFILE: "{{ item }}"
      loop: [oci-process, oci-static]
      changed_when: false
"""

PROGRAM = ("import boto3, sys; print(boto3.session.Session(profile_name=sys.argv[1]).client('sts')"
           ".get_caller_identity()['Arn'])")


def secrets_left(home, values):
    """Files under ``home`` that are not private (0600) and hold one of ``values``."""
    found = []
    for directory, _dirs, files in os.walk(str(home)):
        for name in files:
            path = os.path.join(directory, name)
            if stat.S_IMODE(os.lstat(path).st_mode) == 0o600 or os.path.islink(path):
                continue
            with open(path, "rb") as handle:
                content = handle.read().decode("utf-8", "replace")
            found.extend((path, value[:6]) for value in values if value in content)
    return found


def section(text, name):
    values, inside = {}, False
    for line in text.splitlines():
        if line.startswith("["):
            inside = line.strip() == "[%s]" % name
        elif inside and " = " in line:
            key, value = line.split(" = ", 1)
            values[key] = value
    return values


def test_no_secret_at_vvvv_the_recommended_ways(fresh_sandbox, tmp_path):
    federation = Federation(fresh_sandbox).build()
    home = tmp_path / "home"
    home.mkdir()
    env = ansible_env(fresh_sandbox, home, TEST_CLIENT_SECRET=federation.client_secret)
    playbook = RECOMMENDED % dict(
        domain_url=fresh_sandbox.domain_url, client_id=federation.client_id,
        role_arn=federation.role_arn, lookup=LOOKUP, module=MODULE, python=env["ANSIBLE_PYTHON_INTERPRETER"],
        program=PROGRAM)
    done = run_playbook(env, tmp_path, playbook, "-vvvv", "--diff")
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    arn = "arn:aws:sts::%s:assumed-role/%s/ansible-oci-aws" % (fresh_sandbox.account_id, federation.procedure.role_name)
    assert output.count('"stdout": "%s"' % arn) == 2  # both profiles gave credentials
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in output  # the secret options were there, masked

    static = section((home / ".aws" / "credentials").read_text(), "oci-static")
    cache = [p for p in (home / "cache").iterdir() if p.suffix == ".json"]
    assert len(cache) == 1
    cached = json.loads(cache[0].read_text())["value"]
    secrets = [federation.client_secret, static["aws_secret_access_key"], static["aws_session_token"],
               cached["secret_key"], cached["session_token"]]
    leaks = [value[:6] for value in secrets if value in output]
    assert leaks == [], "secrets in the output (first characters): %s" % leaks
    assert JWT.findall(output) == [], "tokens in the output"
    assert MOTO_SESSION_TOKEN not in output
    assert secrets_left(home, secrets) == []
    assert secrets_left(tmp_path, secrets) == []


@pytest.mark.parametrize("no_log", [False, True])
def test_environment_keyword_values_are_printed_at_vvv(fresh_sandbox, tmp_path, no_log):
    """Why the guide never puts secrets in `environment:` (ansible-core 2.19's local connection)."""
    home = tmp_path / "home"
    home.mkdir()
    marker = "NotASecretButShown%d" % no_log
    done = run_playbook(ansible_env(fresh_sandbox, home), tmp_path, """
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - ansible.builtin.command: "true"
      environment:
        AWS_SECRET_ACCESS_KEY: %s
      no_log: %s
""" % (marker, str(no_log).lower()), "-vvv")
    assert done.returncode == 0
    assert "EXEC /bin/sh -c 'AWS_SECRET_ACCESS_KEY=%s " % marker in done.stdout
