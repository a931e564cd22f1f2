"""Threats to what others own in both clouds (threat model: apps, roles and providers the collection
did not create) and to drift left by hand (issue 11, items 12 and 13).

Each test plants the resource by hand with the cloud's own SDK, runs the collection as a user would,
and reads the resource back with the SDK.
"""

import json

import pytest
from oci.identity_domains import models

from ownership_support import (
    APP_URN,
    MARK,
    domain_client,
    iam,
    read_app,
    read_provider,
    read_role,
    run_named_module,
    run_trust_role,
    warnings,
)

HAND_MADE_NAME = "AWS-Sts-OIDC"
WEB_AUDIENCE = "https://web.example.com"
ROLE = "oci-reporting"
ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
S3_READ = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]}


@pytest.fixture
def domain(fresh_sandbox, monkeypatch):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    return domain_client(fresh_sandbox)


@pytest.fixture
def web_app(domain):
    """A person's app for a web sign-in: authorization code grant, redirect URLs, its own audience, mixed-case name."""
    app = domain.create_app(app=models.App(
        schemas=[APP_URN], display_name=HAND_MADE_NAME, description="web sign-in for the intranet",
        based_on_template=models.AppBasedOnTemplate(value="CustomWebAppTemplateId"),
        client_type="confidential", is_o_auth_client=True,
        allowed_grants=["authorization_code", "client_credentials", "refresh_token"],
        redirect_uris=["https://web.example.com/callback"], is_o_auth_resource=True, audience=WEB_AUDIENCE,
        scopes=[models.AppScopes(value="/profile", description="profile")], active=True,
    )).data
    return app.id


def app_args(sandbox, **args):
    return dict(dict(domain_url=sandbox.domain_url, display_name=HAND_MADE_NAME.lower()), **args)


def test_hand_made_app_is_not_converged_by_a_matching_lower_case_name(fresh_sandbox, domain, web_app, home):
    """Threat 12: a display_name that matches a hand-made app regardless of case would strip its grants."""
    before = read_app(domain, web_app)
    fresh_sandbox.reset_counters()
    failed, result, output = run_named_module(fresh_sandbox, home, "oci_oidc_app", app_args(fresh_sandbox), diff=True)
    assert failed
    assert result["option"] == "adopt"
    assert "not created by multicloud.oci_aws" in result["msg"] and "adopt: true" in result["msg"]
    assert "authorization_code" in result["msg"], "the refusal lists what would change"
    assert any("only regardless of case" in w and HAND_MADE_NAME in w for w in warnings(output))
    assert read_app(domain, web_app) == before, "the app was changed"
    assert fresh_sandbox.counters()["oci"]["summary"].get("write", 0) == 0


def test_state_absent_does_not_delete_a_hand_made_app(fresh_sandbox, domain, web_app, home):
    """Threat 12: state absent with a matching display_name would deactivate and delete someone's app."""
    before = read_app(domain, web_app)
    failed, result, _output = run_named_module(fresh_sandbox, home, "oci_oidc_app", app_args(fresh_sandbox, state="absent"))
    assert failed and result["option"] == "adopt"
    assert "delete" in result["msg"]
    assert read_app(domain, web_app) == before


def test_adopt_converges_a_hand_made_app_and_the_diff_shows_it(fresh_sandbox, domain, web_app, home):
    """Threat 12: the adoption path: with adopt, the app is tagged and converged, its name kept, all in the diff."""
    failed, result, output = run_named_module(fresh_sandbox, home, "oci_oidc_app", app_args(fresh_sandbox, adopt=True),
                                              diff=True)
    assert not failed and result["changed"]
    diff = output.partition("localhost | ")[0].splitlines()
    assert [line for line in diff if "authorization_code" in line and line.startswith("-")], diff
    assert [line for line in diff if WEB_AUDIENCE in line and line.startswith("-")], diff
    assert [line for line in diff if "multicloud.oci_aws" in line and line.startswith("+")], diff
    assert result["app"]["allowed_grants"] == ["client_credentials"]
    assert {"key": "managed-by", "value": "multicloud.oci_aws"} in result["app"]["tags"]
    assert result["app"]["display_name"] == HAND_MADE_NAME, "a case-only match is never renamed"
    assert any("adopt is set" in w for w in warnings(output))
    app = domain.get_app(web_app, attributes="tags,displayName,allowedGrants").data
    assert [(t.key, t.value) for t in app.tags] == list(MARK.items())
    again, result, _output = run_named_module(fresh_sandbox, home, "oci_oidc_app", app_args(fresh_sandbox))
    assert not again and not result["changed"], "once adopted, the app is managed without the option"


@pytest.fixture
def hand_made_role(fresh_sandbox):
    """A provider and a role made by hand (the manual procedure's step 5), with the name the vars file uses."""
    client = iam(fresh_sandbox)
    provider_id = fresh_sandbox.domain_url.split("://", 1)[1]
    arn = client.create_open_id_connect_provider(Url=fresh_sandbox.domain_url, ClientIDList=["sts.amazon.com"],
                                                 ThumbprintList=["a" * 40])["OpenIDConnectProviderArn"]
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": arn}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {provider_id + ":aud": "sts.amazon.com"}}}]}
    client.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust), Description="someone else's")
    client.put_role_policy(RoleName=ROLE, PolicyName="theirs", PolicyDocument=json.dumps(S3_READ))
    # a scene arranged behind the collection's back, visible at once under IAM propagation (the sandbox's back door)
    fresh_sandbox.settle_iam()
    return client, arn


def role_args(sandbox, **args):
    return dict(dict(issuer_url=sandbox.domain_url, role_name=ROLE, subjects=["client_1"], inline_policies={},
                     endpoint_url=sandbox.aws_endpoint, aws_ca_bundle=sandbox.ca_bundle,
                     access_key=sandbox.env["AWS_ACCESS_KEY_ID"], secret_key=sandbox.env["AWS_SECRET_ACCESS_KEY"],
                     region=sandbox.env["AWS_REGION"]), **args)


def test_hand_made_iam_role_with_the_same_name_is_refused_unchanged(fresh_sandbox, hand_made_role, home):
    """Threat 12: a role of the same name made by someone else would get a new trust policy and lose its policies."""
    client, provider_arn = hand_made_role
    # The provider is the collection's here (adopted once), so that only the role is in question.
    client.tag_open_id_connect_provider(OpenIDConnectProviderArn=provider_arn, Tags=[{"Key": k, "Value": v} for k, v in MARK.items()])
    before = read_role(client, ROLE)
    failed, result, _output = run_named_module(fresh_sandbox, home, "aws_oidc_role", role_args(fresh_sandbox))
    assert failed and result["option"] == "adopt"
    assert "IAM role" in result["msg"] and "inline_policies" in result["msg"] and "adopt: true" in result["msg"]
    assert read_role(client, ROLE) == before
    failed, result, _output = run_named_module(fresh_sandbox, home, "aws_oidc_role", role_args(fresh_sandbox, state="absent"))
    assert failed and result["option"] == "adopt"
    assert read_role(client, ROLE) == before


def test_hand_made_provider_is_refused_unchanged(fresh_sandbox, hand_made_role, home):
    """Threat 12: the issuer's provider made by hand would get its client IDs and thumbprints replaced, or be deleted."""
    client, provider_arn = hand_made_role
    before = read_provider(client, provider_arn)
    args = role_args(fresh_sandbox, client_ids=["sts.amazon.com", "other"])
    for name in ("role_name", "subjects", "inline_policies"):
        args.pop(name)
    failed, result, _output = run_named_module(fresh_sandbox, home, "aws_oidc_role", args)
    assert failed and result["option"] == "adopt"
    assert "IAM OIDC provider" in result["msg"] and "client_ids" in result["msg"]
    assert read_provider(client, provider_arn) == before
    failed, result, _output = run_named_module(fresh_sandbox, home, "aws_oidc_role", dict(args, state="absent",
                                                                                          delete_provider="always"))
    assert failed and result["option"] == "adopt"
    assert read_provider(client, provider_arn) == before


def trust_vars(**extra):
    variables = dict(aws_oidc_trust_subjects=["client_1"],
                     aws_oidc_trust_roles=[dict(name=ROLE, inline_policies=dict(read=S3_READ))])
    variables.update(extra)
    return variables


def test_managed_policy_granting_everything_attached_by_hand_is_removed(fresh_sandbox, home, tmp_path):
    """Threat 13: a managed policy with Action * attached by hand to the federated role survives site runs."""
    rc, output = run_trust_role(fresh_sandbox, home, tmp_path, trust_vars())
    assert rc == 0, output[-3000:]
    client = iam(fresh_sandbox)
    admin = client.create_policy(PolicyName="hand-admin", PolicyDocument=json.dumps(ADMIN))["Policy"]["Arn"]
    client.attach_role_policy(RoleName=ROLE, PolicyArn=admin)
    rc, output = run_trust_role(fresh_sandbox, home, tmp_path, trust_vars())
    assert rc == 0, output[-3000:]
    assert client.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"] == []
    # The diff shows the repair: the ARN in the role's managed policies before, not after.
    assert "-" in output and admin in output
    removed = [line for line in output.splitlines() if admin in line]
    assert removed and all(line.lstrip().startswith("-") for line in removed), removed
    assert "changed=1" in output


def test_extra_client_id_on_the_provider_is_removed(fresh_sandbox, home, tmp_path):
    """Threat 13: a client ID added to the provider by hand (tokens for another audience) survives site runs."""
    rc, output = run_trust_role(fresh_sandbox, home, tmp_path, trust_vars())
    assert rc == 0, output[-3000:]
    client = iam(fresh_sandbox)
    [provider] = client.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    client.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=provider["Arn"], ClientID="evil-audience")
    rc, output = run_trust_role(fresh_sandbox, home, tmp_path, trust_vars())
    assert rc == 0, output[-3000:]
    answer = client.get_open_id_connect_provider(OpenIDConnectProviderArn=provider["Arn"])
    assert answer["ClientIDList"] == ["sts.amazon.com"]
    removed = [line for line in output.splitlines() if "evil-audience" in line]
    assert removed and all(line.lstrip().startswith("-") for line in removed), removed


def test_the_manual_procedure_adoption_path_refuses_first_then_adopts_once(fresh_sandbox, hand_made_role, home, tmp_path):
    """Threat 12: users who made the provider and role by hand: the first run refuses, adopt takes over, once."""
    client, provider_arn = hand_made_role
    before = (read_role(client, ROLE), read_provider(client, provider_arn))
    rc, output = run_trust_role(fresh_sandbox, home, tmp_path, trust_vars())
    assert rc != 0 and "adopt: true" in output and "not created by multicloud.oci_aws" in output
    assert (read_role(client, ROLE), read_provider(client, provider_arn)) == before
    rc, output = run_trust_role(fresh_sandbox, home, tmp_path, trust_vars(aws_oidc_trust_adopt=True))
    assert rc == 0, output[-3000:]
    assert "adopt is set" in output
    tags = dict((t["Key"], t["Value"]) for t in client.get_role(RoleName=ROLE)["Role"].get("Tags", []))
    assert tags == MARK
    assert client.list_role_policies(RoleName=ROLE)["PolicyNames"] == ["read"], "the hand-made inline policy is gone"
    rc, output = run_trust_role(fresh_sandbox, home, tmp_path, trust_vars())
    assert rc == 0 and "changed=0" in output, output[-3000:]
