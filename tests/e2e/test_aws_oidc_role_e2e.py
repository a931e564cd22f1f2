"""End to end: a client-credentials token from the sandbox identity domain is accepted by the sandbox
STS for a role made by `multicloud.oci_aws.aws_oidc_role`, and refused for a role whose `sub`
condition names another client.

The domain is configured directly with the `oci` SDK (steps 1 to 4 of the procedure); the module
runs as Ansible runs it (`ansible localhost -m ...`), reaching the sandbox through the standard AWS
environment variables alone. The last test drives the module's managers through the sandbox's
faults: answers lost after the change was made, and throttling.
"""

import json
import os
import subprocess
import sys

import boto3
import botocore.exceptions
import pytest
import requests
from botocore import UNSIGNED
from botocore.config import Config
from oci.config import from_file
from oci.identity_domains import IdentityDomainsClient
from oci.identity_domains import models

from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.connection import AwsConnection, caller_account
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.provider import ProviderManager
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.role import RoleManager
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.federation import Federation, FederationSpec
from ansible_collections.multicloud.oci_aws.plugins.module_utils._retry import PropagationWait, Retrier
from conftest import COLLECTIONS_BASE

AUDIENCE = "sts.amazon.com"
APP_URN = "urn:ietf:params:scim:schemas:oracle:idcs:App"
PATCH_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
STATUS_URN = "urn:ietf:params:scim:schemas:oracle:idcs:AppStatusChanger"
S3_READ = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]}


class Domain:
    """Steps 1 to 4 through the oci SDK: issuer and public signing keys, one confidential app per client."""

    def __init__(self, sandbox):
        self.sandbox = sandbox
        config = from_file(sandbox.env["OCI_CONFIG_FILE"], sandbox.env["OCI_CONFIG_PROFILE"])
        self.client = IdentityDomainsClient(config, service_endpoint=sandbox.domain_url)
        self.client.base_client.session.verify = sandbox.ca_bundle

    def make_issuer_public(self):
        self.client.patch_setting("Settings", patch_op=models.PatchOp(schemas=[PATCH_URN], operations=[
            models.Operations(op="REPLACE", path="issuer", value=self.sandbox.domain_url),
            models.Operations(op="REPLACE", path="signingCertPublicAccess", value=True),
        ]))

    def federated_app(self, name):
        """A confidential app that is the resource server (audience, scope /) and a client allowed its scope."""
        app = self.client.create_app(app=models.App(
            schemas=[APP_URN], display_name=name,
            based_on_template=models.AppBasedOnTemplate(value="CustomWebAppTemplateId"),
            client_type="confidential", is_o_auth_resource=True, audience=AUDIENCE,
            scopes=[models.AppScopes(value="/", description="all")],
            is_o_auth_client=True, allowed_grants=["client_credentials"],
        )).data
        self.client.patch_app(app.id, patch_op=models.PatchOp(schemas=[PATCH_URN], operations=[
            models.Operations(op="ADD", path="allowedScopes", value=[{"fqs": AUDIENCE + "/"}])]))
        return self._activate(app)

    def client_app(self, name):
        """Another client of the domain, allowed the resource server's scope (a token with the same aud)."""
        app = self.client.create_app(app=models.App(
            schemas=[APP_URN], display_name=name,
            based_on_template=models.AppBasedOnTemplate(value="CustomWebAppTemplateId"),
            client_type="confidential", is_o_auth_client=True, allowed_grants=["client_credentials"],
            allowed_scopes=[models.AppAllowedScopes(fqs=AUDIENCE + "/")],
        )).data
        return self._activate(app)

    def _activate(self, app):
        self.client.put_app_status_changer(app.id, app_status_changer=models.AppStatusChanger(
            schemas=[STATUS_URN], active=True))
        return app.name, app.client_secret

    def token(self, client_id, client_secret):
        """Step 6: the client-credentials grant for the fully qualified scope."""
        response = requests.post(
            self.sandbox.domain_url + "/oauth2/v1/token", auth=(client_id, client_secret),
            data={"grant_type": "client_credentials", "scope": AUDIENCE + "/"},
            verify=self.sandbox.ca_bundle, timeout=10,
        )
        assert response.status_code == 200, response.text
        return response.json()["access_token"]


def run_module(sandbox, **args):
    """The module through `ansible`, with nothing but the sandbox's standard environment for AWS."""
    env = sandbox.client_env()
    env.update(ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_BASE, ANSIBLE_STDOUT_CALLBACK="minimal",
               ANSIBLE_LOAD_CALLBACK_PLUGINS="1", ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_NOCOLOR="1",
               ANSIBLE_HOME=os.path.join(sandbox.directory, "ansible-home"))
    bin_dir = os.path.dirname(sys.executable)
    completed = subprocess.run(
        [os.path.join(bin_dir, "ansible"), "localhost", "-e", "ansible_python_interpreter=" + sys.executable,
         "-m", "multicloud.oci_aws.aws_oidc_role", "-a", json.dumps(args)],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    head, _sep, body = completed.stdout.partition(" => ")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "SUCCESS" in head or "CHANGED" in head, completed.stdout
    return json.loads(body)


@pytest.fixture
def domain(fresh_sandbox, monkeypatch):
    # The oci SDK's own CA setting works only when requests is not told otherwise by the environment.
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    made = Domain(fresh_sandbox)
    made.make_issuer_public()
    return made


def sts(sandbox):
    """STS as AssumeRoleWithWebIdentity is called: unsigned, no AWS credentials."""
    return boto3.client("sts", endpoint_url=sandbox.aws_endpoint, verify=sandbox.ca_bundle,
                        region_name=sandbox.env["AWS_DEFAULT_REGION"], config=Config(signature_version=UNSIGNED))


def test_token_is_accepted_for_its_client_and_refused_for_another(domain, fresh_sandbox):
    client_id, client_secret = domain.federated_app("aws-sts-oidc")
    other_client_id, other_secret = domain.client_app("another-client")

    made = run_module(fresh_sandbox, issuer_url=fresh_sandbox.domain_url, role_name="oci-federated",
                      subjects=[client_id], max_session_duration=7200, inline_policies={"list": S3_READ})
    assert made["changed"]
    provider_id = fresh_sandbox.domain_url[len("https://"):]
    assert made["provider_arn"] == "arn:aws:iam::%s:oidc-provider/%s" % (fresh_sandbox.account_id, provider_id)
    assert made["trust_policy"]["Statement"][0]["Condition"]["StringEquals"] == {
        provider_id + ":aud": AUDIENCE, provider_id + ":sub": client_id}
    wrong = run_module(fresh_sandbox, issuer_url=fresh_sandbox.domain_url, role_name="oci-other-client",
                       subjects=[other_client_id])

    fresh_sandbox.reset_counters()
    again = run_module(fresh_sandbox, issuer_url=fresh_sandbox.domain_url, role_name="oci-federated",
                       subjects=[client_id], max_session_duration=7200, inline_policies={"list": S3_READ})
    assert not again["changed"]
    assert fresh_sandbox.writes("aws") == 0

    token = domain.token(client_id, client_secret)
    answer = sts(fresh_sandbox).assume_role_with_web_identity(
        RoleArn=made["role_arn"], RoleSessionName="e2e", WebIdentityToken=token, DurationSeconds=7200)
    assert answer["SubjectFromWebIdentityToken"] == client_id
    credentials = answer["Credentials"]
    caller = boto3.client(
        "sts", endpoint_url=fresh_sandbox.aws_endpoint, verify=fresh_sandbox.ca_bundle,
        region_name=fresh_sandbox.env["AWS_DEFAULT_REGION"], aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"], aws_session_token=credentials["SessionToken"],
    ).get_caller_identity()
    assert caller["Arn"] == "arn:aws:sts::%s:assumed-role/oci-federated/e2e" % fresh_sandbox.account_id

    # Each role trusts its own client only: same issuer, same audience, another sub.
    other_token = domain.token(other_client_id, other_secret)
    for role_arn, other_clients_token in ((wrong["role_arn"], token), (made["role_arn"], other_token)):
        with pytest.raises(botocore.exceptions.ClientError) as refused:
            sts(fresh_sandbox).assume_role_with_web_identity(
                RoleArn=role_arn, RoleSessionName="e2e", WebIdentityToken=other_clients_token)
        error = refused.value.response
        assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("AccessDenied", 403)
        assert "sts:AssumeRoleWithWebIdentity" in error["Error"]["Message"]
    assert sts(fresh_sandbox).assume_role_with_web_identity(
        RoleArn=wrong["role_arn"], RoleSessionName="e2e", WebIdentityToken=other_token)["Credentials"]


def test_removing_the_role_breaks_federation_and_removes_the_unused_provider(domain, fresh_sandbox):
    client_id, client_secret = domain.federated_app("aws-sts-oidc")
    made = run_module(fresh_sandbox, issuer_url=fresh_sandbox.domain_url, role_name="oci-federated",
                      subjects=[client_id])
    gone = run_module(fresh_sandbox, issuer_url=fresh_sandbox.domain_url, role_name="oci-federated", state="absent")
    assert gone["changed"] and gone["provider_trusted_by"] == []

    with pytest.raises(botocore.exceptions.ClientError) as refused:
        sts(fresh_sandbox).assume_role_with_web_identity(
            RoleArn=made["role_arn"], RoleSessionName="e2e", WebIdentityToken=domain.token(client_id, client_secret))
    assert refused.value.response["Error"]["Code"] == "InvalidIdentityToken"
    assert "No OpenIDConnect provider found" in refused.value.response["Error"]["Message"]


def federation(sandbox, check_mode=False):
    """The module's managers on the sandbox, with short waits between retries."""
    env = sandbox.env
    connection = AwsConnection(
        region=env["AWS_DEFAULT_REGION"], access_key=env["AWS_ACCESS_KEY_ID"], secret_key=env["AWS_SECRET_ACCESS_KEY"],
        endpoint_url=sandbox.aws_endpoint, aws_ca_bundle=sandbox.ca_bundle,
        retrier=Retrier(max_attempts=8, base_delay=0.05, max_delay=0.5, max_elapsed=30),
    )
    iam = connection.client("iam")
    # aws_oidc_role wires a propagation wait (wait_for_propagation, default true): the e2e profile delays IAM.
    return Federation(ProviderManager(iam, check_mode), RoleManager(iam, check_mode),
                      account=lambda: caller_account(connection.client("sts")), propagation=PropagationWait(60))


def test_lost_answers_and_throttling_neither_duplicate_nor_fail(fresh_sandbox):
    present = FederationSpec.from_params(dict(
        state="present", issuer_url=fresh_sandbox.domain_url, audience=AUDIENCE, role_name="oci-federated",
        subjects=["client-1"], inline_policies={"list": S3_READ}, delete_provider="if_unused"))
    # The first create of each kind is made but its answer lost; a third of all IAM requests are throttled.
    fresh_sandbox.fault(cloud="aws", endpoint="iam:CreateOpenIDConnectProvider", mode="lose_response", count=1)
    fresh_sandbox.fault(cloud="aws", endpoint="iam:CreateRole", mode="lose_response", count=1)
    fresh_sandbox.fault(cloud="aws", endpoint="iam:*", status=429, probability=0.3, seed=7)
    made = federation(fresh_sandbox).run(present)
    assert made["changed"]
    counters = fresh_sandbox.counters()["aws"]
    assert counters["endpoints"]["iam:CreateOpenIDConnectProvider"] >= 2 and counters["endpoints"]["iam:CreateRole"] >= 2
    assert sum(counters["faults_injected"].values()) >= 3

    iam = boto3.client("iam", endpoint_url=fresh_sandbox.aws_endpoint, verify=fresh_sandbox.ca_bundle,
                       region_name=fresh_sandbox.env["AWS_DEFAULT_REGION"],
                       aws_access_key_id=fresh_sandbox.env["AWS_ACCESS_KEY_ID"],
                       aws_secret_access_key=fresh_sandbox.env["AWS_SECRET_ACCESS_KEY"])
    assert [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]] == [made["provider_arn"]]
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == ["oci-federated"]
    assert iam.list_role_policies(RoleName="oci-federated")["PolicyNames"] == ["list"]

    fresh_sandbox.reset_counters()
    assert not federation(fresh_sandbox).run(present)["changed"]
    assert fresh_sandbox.writes("aws") == 0

    fresh_sandbox.fault(cloud="aws", endpoint="iam:Delete*", mode="lose_response", count=3)
    absent = FederationSpec.from_params(dict(state="absent", issuer_url=fresh_sandbox.domain_url, audience=AUDIENCE,
                                             role_name="oci-federated", delete_provider="if_unused"))
    assert federation(fresh_sandbox).run(absent)["changed"]
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []
    assert iam.list_roles()["Roles"] == []
