"""What the exchange's end-to-end tests share: a federation set up by the manual procedure (the sandbox's
`oci_aws_sandbox.procedure.Federation`), and Ansible run as users run it (`ansible`, `ansible-playbook`) against the
sandbox."""

import configparser
import json
import os
import subprocess
import sys

from conftest import COLLECTIONS_BASE
from oci_aws_sandbox import procedure

BIN = os.path.dirname(sys.executable)
MODULE = "multicloud.oci_aws.oci_aws_assume"
LOOKUP = "multicloud.oci_aws.oci_aws_creds"
# The exchange's default role_session_name (module_utils/_exchange/options.py).
SESSION_NAME = "ansible-oci-aws"


class Federation(procedure.Federation):
    """Steps 1 to 5 by the manual procedure (the sandbox's ``oci_aws_sandbox.procedure.Federation``), with what the
    tests and the benchmarks (bench/common.py) need of the collection: the session ARN the exchange gets by default,
    and the lookup's environment variables."""

    @property
    def session_arn(self):
        """The ARN STS gives the session with the exchange's default session name."""
        return self.assumed_role_arn(SESSION_NAME)

    def lookup_env(self):
        """The lookup's options as the environment variables it reads (env: sources), secret included."""
        return dict(OCI_DOMAIN_URL=self.sandbox.domain_url, OCI_AWS_CLIENT_ID=self.client_id,
                    OCI_AWS_CLIENT_SECRET=self.client_secret, OCI_AWS_ROLE_ARN=self.role_arn)


def ansible_env(sandbox, home, **extra):
    """The environment of an Ansible run: the sandbox's standard settings, a home of its own."""
    env = sandbox.client_env()
    env.update(
        HOME=str(home), ANSIBLE_HOME=os.path.join(str(home), ".ansible"), ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_BASE,
        ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
        ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_DEPRECATION_WARNINGS="0",
        OCI_ANSIBLE_CERT_BUNDLE=sandbox.ca_bundle, OCI_AWS_CREDS_CACHE_DIR=os.path.join(str(home), "cache"),
    )
    env.pop("REQUESTS_CA_BUNDLE", None)
    env.update(extra)
    return env


def run_module(env, args, check=False):
    """``(failed, result)`` of the module run by ``ansible localhost -m`` (its JSON answer)."""
    command = [os.path.join(BIN, "ansible"), "localhost", "-m", MODULE, "-a", json.dumps(args)]
    if check:
        command.append("--check")
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180, check=False)
    head, _sep, body = done.stdout.partition(" => ")
    if not body:
        raise AssertionError("no result from ansible:\n%s\n%s" % (done.stdout, done.stderr))
    return "FAILED" in head, json.loads(body)


def run_named_module(sandbox, home, module, args, check=False, diff=False):
    """``(failed, result, output)`` of ``ansible localhost -m multicloud.oci_aws.<module>``; ``output`` is all it
    printed (the diff, the result, warnings), which is what a user sees."""
    command = [os.path.join(BIN, "ansible"), "localhost", "-m", "multicloud.oci_aws." + module, "-a", json.dumps(args)]
    if check:
        command.append("--check")
    if diff:
        command.append("--diff")
    done = subprocess.run(command, env=ansible_env(sandbox, home), capture_output=True, text=True, timeout=300,
                          check=False)
    output = done.stdout + done.stderr
    head, _sep, body = done.stdout.rpartition("localhost | ")[2].partition(" => ")
    if not body:
        raise AssertionError("no result from ansible:\n%s" % output)
    return head.startswith("FAILED"), json.loads(body), output


def warnings(output):
    """The warnings a run printed (`ansible` shows them apart from the result), each on one line."""
    return [" ".join(part.split()) for part in output.split("[WARNING]:")[1:]]


def run_playbook(env, directory, playbook, *args, inventory=None, timeout=600):
    """Run ``playbook`` (YAML text) with ``ansible-playbook``; the CompletedProcess."""
    path = os.path.join(str(directory), "playbook.yml")
    with open(path, "w") as handle:
        handle.write(playbook)
    command = [os.path.join(BIN, "ansible-playbook"), path] + list(args)
    if inventory is not None:
        inventory_path = os.path.join(str(directory), "inventory.ini")
        with open(inventory_path, "w") as handle:
            handle.write(inventory)
        command += ["-i", inventory_path]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def counts(sandbox):
    """``(token requests, STS calls)`` since the last reset of the counters."""
    snapshot = sandbox.counters()
    return snapshot["oci"]["summary"].get("token", 0), snapshot["aws"]["summary"].get("sts", 0)


def user_config_files(sandbox, home):
    """Write in ``home`` the files a user of the docs has, holding the sandbox's settings instead of a cloud's:
    ``~/.oci/config`` with the profiles ``DEFAULT`` and ``ADMIN`` (the sandbox's API key), ``~/.aws/credentials``
    and ``~/.aws/config`` with the profiles ``default`` and ``iam-admin`` (the sandbox's administrator keys, region,
    endpoint and CA). The environment that goes with them (:func:`user_env`) names no config file nor key, so each
    client finds them where users have them: under ``$HOME``."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    with open(sandbox.env["OCI_CONFIG_FILE"]) as handle:
        parser.read_file(handle)
    profile = sandbox.env["OCI_CONFIG_PROFILE"]
    oci = dict(parser.defaults()) if profile == "DEFAULT" else dict(parser[profile])
    oci_text = "".join("[%s]\n%s\n" % (name, "".join("%s=%s\n" % item for item in oci.items()))
                       for name in ("DEFAULT", "ADMIN"))
    keys = "aws_access_key_id = %s\naws_secret_access_key = %s\n" % (
        sandbox.env["AWS_ACCESS_KEY_ID"], sandbox.env["AWS_SECRET_ACCESS_KEY"])
    settings = "region = %s\nendpoint_url = %s\nca_bundle = %s\n" % (
        sandbox.env["AWS_REGION"], sandbox.aws_endpoint, sandbox.ca_bundle)
    files = {
        os.path.join(".oci", "config"): oci_text,
        os.path.join(".aws", "credentials"): "[default]\n%s\n[iam-admin]\n%s" % (keys, keys),
        os.path.join(".aws", "config"): "[default]\n%s\n[profile iam-admin]\n%s" % (settings, settings),
    }
    for name, text in files.items():
        path = os.path.join(str(home), name)
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as handle:
            handle.write(text)


def user_env(sandbox, home, **extra):
    """:func:`ansible_env` as a user of the docs has it, with :func:`user_config_files` written in ``home``: the
    sandbox's endpoints and CA in the environment, its credentials in the files under ``$HOME`` only. The CA is also
    the "system's CAs" of Python's ssl (``SSL_CERT_FILE``), which a client with no CA option of its own uses (the
    issuer's chain that ``aws_oidc_role`` reads for ``thumbprints_from_issuer``), as a real domain's public CA is."""
    user_config_files(sandbox, home)
    env = ansible_env(sandbox, home, SSL_CERT_FILE=sandbox.ca_bundle, **extra)
    for name in ("OCI_CONFIG_FILE", "OCI_CONFIG_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        if name not in extra:
            env.pop(name, None)
    return env
