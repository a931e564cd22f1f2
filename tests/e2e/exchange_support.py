"""What the exchange's end-to-end tests share: a federation set up by the manual procedure (the sandbox's
`oci_aws_sandbox.procedure.Federation`), and Ansible run as users run it (`ansible`, `ansible-playbook`) against the
sandbox."""

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
