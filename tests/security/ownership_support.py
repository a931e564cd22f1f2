"""What the ownership tests share: the modules and the aws_oidc_trust role run as users run them
(``ansible localhost -m`` / ``ansible-playbook``) against the sandbox, and reads of what exists, made
with the clouds' own SDKs so that "unchanged" means what an administrator would see."""

import json
import os
import subprocess
import sys

import boto3
import oci
import yaml
from oci.identity_domains import IdentityDomainsClient

from ansible_collections.multicloud.oci_aws.plugins.module_utils import _ownership

BIN = os.path.dirname(sys.executable)
# The directory that holds ansible_collections/multicloud/oci_aws (tests/conftest.py makes it importable).
COLLECTIONS_BASE = os.path.abspath(os.path.join(os.path.dirname(_ownership.__file__), *[os.pardir] * 5))


def ansible_env(sandbox, home):
    """The environment of an Ansible run: the sandbox's standard settings, a home of its own (as tests/e2e)."""
    env = sandbox.client_env()
    env.update(
        HOME=str(home), ANSIBLE_HOME=os.path.join(str(home), ".ansible"), ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_BASE,
        ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
        ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_DEPRECATION_WARNINGS="0",
        OCI_ANSIBLE_CERT_BUNDLE=sandbox.ca_bundle,
    )
    env.pop("REQUESTS_CA_BUNDLE", None)
    return env


APP_URN = "urn:ietf:params:scim:schemas:oracle:idcs:App"
MARK = {"managed-by": "multicloud.oci_aws"}


def run_module(sandbox, home, module, args, check=False, diff=False):
    """``(failed, result, output)`` of ``ansible localhost -m multicloud.oci_aws.<module>``."""
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
    return [" ".join(part.split()) for part in output.split("[WARNING]:")[1:]]


def run_trust_role(sandbox, home, directory, variables, diff=True):
    """The aws_oidc_trust role as site.yml runs it (one play on localhost, a vars file); ``(rc, output)``."""
    playbook = os.path.join(str(directory), "trust.yml")
    with open(playbook, "w") as handle:
        yaml.safe_dump([{"hosts": "localhost", "gather_facts": False,
                         "roles": [{"role": "multicloud.oci_aws.aws_oidc_trust"}]}], handle)
    vars_file = os.path.join(str(directory), "trust-vars.yml")
    settings = dict(aws_oidc_trust_issuer_url=sandbox.domain_url, aws_oidc_trust_region=sandbox.env["AWS_REGION"],
                    aws_oidc_trust_endpoint_url=sandbox.aws_endpoint, aws_oidc_trust_aws_ca_bundle=sandbox.ca_bundle)
    settings.update(variables)
    with open(vars_file, "w") as handle:
        yaml.safe_dump(settings, handle)
    command = [os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", "-c", "local", playbook, "-e", "@" + vars_file]
    if diff:
        command.append("--diff")
    env = ansible_env(sandbox, home)
    env.update(AWS_ACCESS_KEY_ID=sandbox.env["AWS_ACCESS_KEY_ID"], AWS_SECRET_ACCESS_KEY=sandbox.env["AWS_SECRET_ACCESS_KEY"])
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    return done.returncode, done.stdout + done.stderr


def domain_client(sandbox):
    config = oci.config.from_file(sandbox.env["OCI_CONFIG_FILE"], sandbox.env["OCI_CONFIG_PROFILE"])
    client = IdentityDomainsClient(config, service_endpoint=sandbox.domain_url)
    client.base_client.session.verify = sandbox.ca_bundle
    client.base_client.session.trust_env = False  # REQUESTS_CA_BUNDLE of this machine must not win
    return client


def read_app(client, app_id):
    """Every attribute of the app as the SDK reads it (attributeSets all, tags included), as plain JSON."""
    app = client.get_app(app_id, attribute_sets=["all"], attributes="tags").data
    return json.dumps(oci.util.to_dict(app), sort_keys=True)


def iam(sandbox):
    return boto3.client("iam", endpoint_url=sandbox.aws_endpoint, verify=sandbox.ca_bundle,
                        region_name=sandbox.env["AWS_REGION"], aws_access_key_id=sandbox.env["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=sandbox.env["AWS_SECRET_ACCESS_KEY"])


def read_role(client, name):
    """The role, its attached and inline policies and tags, as IAM answers them."""
    role = client.get_role(RoleName=name)["Role"]
    attached = client.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
    inline = client.list_role_policies(RoleName=name)["PolicyNames"]
    return json.dumps(dict(role=role, attached=attached, inline=inline), sort_keys=True, default=str)


def read_provider(client, arn):
    answer = client.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    answer.pop("ResponseMetadata", None)
    return json.dumps(answer, sort_keys=True, default=str)
