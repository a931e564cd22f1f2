"""What the ownership tests share: the modules and the aws_oidc_trust role run as users run them
(``ansible localhost -m`` / ``ansible-playbook``) against the sandbox, and reads of what exists, made
with the clouds' own SDKs so that "unchanged" means what an administrator would see."""

import json
import os
import subprocess

import boto3
import oci
import yaml
from oci.identity_domains import IdentityDomainsClient

from e2e.exchange_support import BIN, ansible_env, run_named_module, warnings  # noqa: F401 pylint: disable=unused-import

APP_URN = "urn:ietf:params:scim:schemas:oracle:idcs:App"
MARK = {"managed-by": "multicloud.oci_aws"}


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
