"""What the site.yml end-to-end tests share: the playbooks run as users run them, against the sandbox,
with one vars file, and a look at what exists in both clouds afterwards."""

import json
import os
import subprocess

import boto3
import yaml

from conftest import COLLECTIONS_BASE, ROOT
from e2e.exchange_support import BIN, ansible_env

PLAYBOOKS = os.path.join(ROOT, "playbooks")
APP_NAME = "aws-sts-oidc"
ROLE_NAME = "oci-reporting"
S3_READ = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:ListAllMyBuckets"],
                                                   "Resource": "*"}]}


class Site:
    """site.yml, use_credentials.yml and teardown.yml for one sandbox, with their own home and secret store."""

    def __init__(self, sandbox, directory, name="site"):
        self.sandbox = sandbox
        self.directory = os.path.join(str(directory), name)
        os.makedirs(self.directory, exist_ok=True)
        self.home = os.path.join(self.directory, "home")
        os.makedirs(self.home, exist_ok=True)
        self.secret_file = os.path.join(self.directory, "store", "client.yml")
        self.vars_file = os.path.join(self.directory, "vars.yml")
        with open(self.vars_file, "w") as handle:
            yaml.safe_dump(self.variables(), handle)
        os.chmod(self.vars_file, 0o600)

    def variables(self):
        env = self.sandbox.env
        return dict(
            oci_oidc_provider_domain_url=self.sandbox.domain_url,
            oci_oidc_provider_config_file_location=env["OCI_CONFIG_FILE"],
            oci_oidc_provider_config_profile_name=env["OCI_CONFIG_PROFILE"],
            oci_oidc_provider_cert_bundle=self.sandbox.ca_bundle,
            oci_oidc_provider_app_name=APP_NAME,
            oci_oidc_provider_secret_file=self.secret_file,
            aws_oidc_trust_profile="",
            aws_oidc_trust_region=env["AWS_REGION"],
            aws_oidc_trust_endpoint_url=self.sandbox.aws_endpoint,
            aws_oidc_trust_aws_ca_bundle=self.sandbox.ca_bundle,
            aws_oidc_trust_roles=[dict(name=ROLE_NAME, max_session_duration=3600, inline_policies=dict(read=S3_READ))],
            oci_aws_cert_bundle=self.sandbox.ca_bundle,
            oci_aws_role_arn="arn:aws:iam::%s:role/%s" % (self.sandbox.account_id, ROLE_NAME),
            aws_region=env["AWS_REGION"],
            use_credentials_aws_config_file=os.path.join(self.directory, "aws", "config"),
            use_credentials_process_dir=os.path.join(self.directory, "aws", "multicloud.oci_aws"),
        )

    def env(self, **extra):
        env = ansible_env(self.sandbox, self.home, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_BASE, **extra)
        # The IAM side's administrator keys, as a user's environment would hold them.
        env.update(AWS_ACCESS_KEY_ID=self.sandbox.env["AWS_ACCESS_KEY_ID"],
                   AWS_SECRET_ACCESS_KEY=self.sandbox.env["AWS_SECRET_ACCESS_KEY"])
        return env

    def command(self, playbook, *args):
        return [os.path.join(BIN, "ansible-playbook"), os.path.join(PLAYBOOKS, playbook),
                "-e", "@" + self.sandbox.vars_file, "-e", "@" + self.vars_file] + list(args)

    def run(self, playbook="site.yml", *args, env=None, timeout=600):
        return subprocess.run(self.command(playbook, *args), env=env or self.env(), capture_output=True, text=True,
                              timeout=timeout, check=False, cwd=self.directory)

    def start(self, playbook="site.yml", *args, env=None):
        return subprocess.Popen(self.command(playbook, *args), env=env or self.env(), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=self.directory)


def recap(done):
    """The PLAY RECAP numbers of localhost (ok, changed, failed, ...) of the last play."""
    lines = [line for line in done.stdout.splitlines() if line.startswith("localhost") and "ok=" in line]
    assert lines, done.stdout[-3000:] + done.stderr[-3000:]
    return dict((key, int(value)) for key, value in (part.split("=") for part in lines[-1].split(":", 1)[1].split()))


def inventory(sandbox):
    """What exists in both clouds: the apps named APP_NAME, the IAM OIDC providers, the roles."""
    settings = dict(endpoint_url=sandbox.aws_endpoint, verify=sandbox.ca_bundle, region_name=sandbox.env["AWS_REGION"],
                    aws_access_key_id=sandbox.env["AWS_ACCESS_KEY_ID"],
                    aws_secret_access_key=sandbox.env["AWS_SECRET_ACCESS_KEY"])
    iam = boto3.client("iam", **settings)
    providers = [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
    roles = [r["RoleName"] for r in iam.list_roles()["Roles"]]
    apps = apps_named(sandbox, APP_NAME)
    return dict(apps=len(apps), active=[a.get("active") for a in apps], providers=len(providers), roles=sorted(roles))


def apps_named(sandbox, name):
    from oci.config import from_file
    from oci.identity_domains import IdentityDomainsClient

    config = from_file(sandbox.env["OCI_CONFIG_FILE"], sandbox.env["OCI_CONFIG_PROFILE"])
    client = IdentityDomainsClient(config, service_endpoint=sandbox.domain_url)
    client.base_client.session.verify = sandbox.ca_bundle
    client.base_client.session.trust_env = False  # REQUESTS_CA_BUNDLE of this machine must not win
    answer = client.list_apps(filter="displayName eq %s" % json.dumps(name))
    return [dict(id=app.id, active=app.active) for app in answer.data.resources or []]


# What one site.yml run leaves in the sandbox: one active app, one IAM OIDC provider, one role.
EXPECTED = dict(apps=1, active=[True], providers=1, roles=[ROLE_NAME])


def fresh(sandbox):
    """The sandbox as a fresh domain and account: reset, and no fault left."""
    sandbox.reset()
    sandbox.clear_faults()
