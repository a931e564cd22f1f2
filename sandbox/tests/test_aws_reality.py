"""Fidelity of the sandbox's AWS half to AWS as it really behaves (issue 13): IAM eventual
consistency, the quotas and validation moto skips, token time rules, thumbprints, partitions and a
token file written with ``echo``. boto3 (and the AWS CLI) unchanged against the sandbox; each test
asserts the real error code and message. Sources: sandbox/README.md "Behaviour switches".
"""

import hashlib
import json
import os
import re
import subprocess

import boto3
import pytest
from botocore.config import Config
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from aws_support import (
    CLIENT_ID, self_signed, INVALID_TOKEN, NOT_AUTHORIZED, SUBJECT, aws_client, free_port, refused, sandbox_now, trust_policy,
)
from oci_aws_sandbox.oidc_issuer import OidcIssuer
from oci_aws_sandbox.pki import ensure_keys

DELAY = 8
NO_PROVIDER = "No OpenIDConnect provider found in your account for %s"
THUMBPRINT_MISMATCH = "OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint"
PARTITIONS = [("aws", "eu-central-1"), ("aws-us-gov", "us-gov-west-1"), ("aws-cn", "cn-north-1")]


@pytest.fixture
def issuer(fed):
    """A second test issuer, for tests that create its provider themselves."""
    with OidcIssuer(ensure_keys(fed.sandbox.directory)) as other:
        yield other


def propagate(fed, seconds=DELAY + 1):
    fed.sandbox.shift_clock(fed.sandbox.call("GET", "/clock")["offset"] + seconds)


def ca_thumbprint(sandbox):
    with open(sandbox.ca_bundle, "rb") as handle:
        ca = x509.load_pem_x509_certificate(handle.read())
    return hashlib.sha1(ca.public_bytes(serialization.Encoding.DER)).hexdigest()  # noqa: S324


def policy_with_subjects(fed, count, indent=None):
    subjects = ["%032x" % i for i in range(count)]  # OCI client IDs are 32 hex digits
    return trust_policy(fed.provider_arn, fed.prefix, {"StringEquals": {fed.prefix + ":sub": subjects}}) if indent is None \
        else json.dumps(json.loads(trust_policy(fed.provider_arn, fed.prefix,
                                                {"StringEquals": {fed.prefix + ":sub": subjects}})), indent=indent)


def stripped_length(document):
    return len(re.sub(r"\s", "", document))


# -- 1. IAM eventual consistency -------------------------------------------------------------------

def test_new_provider_is_seen_by_sts_and_iam_reads_only_after_the_delay(fed, issuer):
    fed.sandbox.configure(aws={"iam_propagation_seconds": DELAY})
    arn = fed.iam.create_open_id_connect_provider(Url=issuer.url, ClientIDList=[CLIENT_ID])["OpenIDConnectProviderArn"]
    prefix = issuer.url[len("https://"):]
    role_arn = fed.create_role("propagating", trust_policy(arn, prefix))
    token = issuer.mint(now=sandbox_now(fed.sandbox))
    refused(lambda: fed.assume(token=token, role_arn=role_arn), "InvalidIdentityToken", NO_PROVIDER % issuer.url)
    refused(lambda: fed.iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn), "NoSuchEntity", status=404)
    assert arn not in [p["Arn"] for p in fed.iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
    propagate(fed)
    token = issuer.mint(now=sandbox_now(fed.sandbox))
    assert fed.assume(token=token, role_arn=role_arn)["Provider"] == arn
    assert fed.iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ClientIDList"] == [CLIENT_ID]


def test_new_role_is_access_denied_until_the_delay_passed(fed):
    fed.sandbox.configure(aws={"iam_propagation_seconds": DELAY})
    role_arn = fed.create_role("late-role", trust_policy(fed.provider_arn, fed.prefix))
    refused(lambda: fed.assume(role_arn=role_arn), "AccessDenied", NOT_AUTHORIZED, 403)
    refused(lambda: fed.iam.get_role(RoleName="late-role"), "NoSuchEntity", "The role with name late-role cannot be found.",
            404)
    propagate(fed)
    assert fed.assume(token=fed.token(), role_arn=role_arn)["AssumedRoleUser"]["Arn"].endswith("/late-role/oci-session")
    assert fed.iam.get_role(RoleName="late-role")["Role"]["Arn"] == role_arn


def test_trust_policy_update_is_seen_late_by_sts_and_get_role(fed):
    role_arn = fed.create_role("retrusted-late", trust_policy(fed.provider_arn, fed.prefix))
    fed.sandbox.configure(aws={"iam_propagation_seconds": DELAY})
    denying = trust_policy(fed.provider_arn, fed.prefix, {"StringEquals": {fed.prefix + ":sub": "someone-else"}})
    fed.iam.update_assume_role_policy(RoleName="retrusted-late", PolicyDocument=denying)
    assert fed.assume(role_arn=role_arn)  # the old trust policy still applies
    seen = fed.iam.get_role(RoleName="retrusted-late")["Role"]["AssumeRolePolicyDocument"]
    assert seen["Statement"][0]["Condition"]["StringEquals"][fed.prefix + ":sub"] == SUBJECT
    propagate(fed)
    refused(lambda: fed.assume(token=fed.token(), role_arn=role_arn), "AccessDenied", NOT_AUTHORIZED, 403)
    seen = fed.iam.get_role(RoleName="retrusted-late")["Role"]["AssumeRolePolicyDocument"]
    assert seen["Statement"][0]["Condition"]["StringEquals"][fed.prefix + ":sub"] == "someone-else"


def test_settle_makes_every_pending_write_visible_at_once_and_nothing_else(fed):
    # POST /iam/settle, the set-up back door (real IAM has none; the manual procedure uses it, the collection never)
    fed.sandbox.configure(aws={"iam_propagation_seconds": 600})
    role_arn = fed.create_role("settled-role", trust_policy(fed.provider_arn, fed.prefix))
    refused(lambda: fed.assume(role_arn=role_arn), "AccessDenied", NOT_AUTHORIZED, 403)
    assert fed.sandbox.settle_iam() == {"settled": 1}
    assert fed.assume(token=fed.token(), role_arn=role_arn)["AssumedRoleUser"]["Arn"].endswith("/settled-role/oci-session")
    assert fed.iam.get_role(RoleName="settled-role")["Role"]["Arn"] == role_arn
    # the delay still applies to the writes that follow
    denying = trust_policy(fed.provider_arn, fed.prefix, {"StringEquals": {fed.prefix + ":sub": "someone-else"}})
    fed.iam.update_assume_role_policy(RoleName="settled-role", PolicyDocument=denying)
    assert fed.assume(token=fed.token(), role_arn=role_arn)
    assert fed.sandbox.settle_iam() == {"settled": 1}
    refused(lambda: fed.assume(token=fed.token(), role_arn=role_arn), "AccessDenied", NOT_AUTHORIZED, 403)
    assert fed.sandbox.settle_iam() == {"settled": 0}


def test_deleted_provider_and_role_are_seen_until_the_delay_passed(fed, issuer):
    arn = fed.iam.create_open_id_connect_provider(Url=issuer.url, ClientIDList=[CLIENT_ID])["OpenIDConnectProviderArn"]
    role_arn = fed.create_role("doomed", trust_policy(arn, issuer.url[len("https://"):]))
    fed.sandbox.configure(aws={"iam_propagation_seconds": DELAY})
    fed.iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    fed.iam.delete_role(RoleName="doomed")
    assert fed.assume(token=issuer.mint(now=sandbox_now(fed.sandbox)), role_arn=role_arn)
    assert fed.iam.get_role(RoleName="doomed")["Role"]["Arn"] == role_arn
    propagate(fed)
    refused(lambda: fed.assume(token=issuer.mint(now=sandbox_now(fed.sandbox)), role_arn=role_arn),
            "InvalidIdentityToken", NO_PROVIDER % issuer.url)


def test_permission_policy_writes_are_seen_late_and_writes_act_on_the_newest_state(fed):
    fed.sandbox.configure(aws={"iam_propagation_seconds": DELAY})
    fed.create_role("permissions-late", trust_policy(fed.provider_arn, fed.prefix))
    # writes go to the primary: attaching to the role created a moment ago succeeds
    fed.iam.attach_role_policy(RoleName="permissions-late", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    fed.iam.put_role_policy(RoleName="permissions-late", PolicyName="inline", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}))
    refused(lambda: fed.iam.list_attached_role_policies(RoleName="permissions-late"), "NoSuchEntity", status=404)
    propagate(fed)
    attached = fed.iam.list_attached_role_policies(RoleName="permissions-late")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    fed.iam.delete_role_policy(RoleName="permissions-late", PolicyName="inline")
    assert fed.iam.list_role_policies(RoleName="permissions-late")["PolicyNames"] == ["inline"]
    propagate(fed)
    assert fed.iam.list_role_policies(RoleName="permissions-late")["PolicyNames"] == []


def test_client_id_added_is_seen_by_sts_only_after_the_delay(fed):
    role_arn = fed.create_role("any-aud", trust_policy(fed.provider_arn, fed.prefix, {}))
    fed.sandbox.configure(aws={"iam_propagation_seconds": DELAY})
    fed.iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=fed.provider_arn, ClientID="late-aud")
    refused(lambda: fed.assume(token=fed.token(aud="late-aud"), role_arn=role_arn), "InvalidIdentityToken",
            "Incorrect token audience")
    propagate(fed)
    assert fed.assume(token=fed.token(aud="late-aud"), role_arn=role_arn)["Audience"] == "late-aud"
    fed.iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=fed.provider_arn, ClientID="late-aud")
    assert fed.assume(token=fed.token(aud="late-aud"), role_arn=role_arn)  # the removal is not seen yet
    propagate(fed)
    refused(lambda: fed.assume(token=fed.token(aud="late-aud"), role_arn=role_arn), "InvalidIdentityToken",
            "Incorrect token audience")


def test_propagation_switch_has_exactly_the_documented_name_and_default(fed):
    assert fed.sandbox.call("GET", "/config")["aws"]["iam_propagation_seconds"] == 0
    fed.sandbox.call("POST", "/config", {"aws": {"iam_propagation_seconds": 3}})
    assert fed.sandbox.call("GET", "/config")["aws"]["iam_propagation_seconds"] == 3


# -- 2. quotas and validation ----------------------------------------------------------------------

def test_trust_policy_is_limited_to_2048_characters_without_whitespace(fed):
    count = 1
    while stripped_length(policy_with_subjects(fed, count + 1)) <= 2048:
        count += 1
    fits, too_long = policy_with_subjects(fed, count, indent=4), policy_with_subjects(fed, count + 1)
    assert len(fits) > 2048 >= stripped_length(fits)  # whitespace is not counted
    assert fed.create_role("at-the-quota", fits)
    refused(lambda: fed.create_role("over-the-quota", too_long), "LimitExceeded",
            "Cannot exceed quota for ACLSizePerRole: 2048", 409)
    refused(lambda: fed.iam.update_assume_role_policy(RoleName="at-the-quota", PolicyDocument=too_long),
            "LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048", 409)
    fed.sandbox.configure(aws={"trust_policy_max_chars": 4096})  # the raised quota
    assert fed.create_role("raised-quota", too_long)
    refused(lambda: fed.create_role("over-raised", policy_with_subjects(fed, 4 * count)), "LimitExceeded",
            "Cannot exceed quota for ACLSizePerRole: 4096", 409)


def test_sixty_subjects_exceed_the_default_trust_policy_quota(fed):
    """moto accepted 3,710 characters (60 subjects)."""
    refused(lambda: fed.create_role("sixty", policy_with_subjects(fed, 60)), "LimitExceeded",
            "Cannot exceed quota for ACLSizePerRole: 2048", 409)


def test_at_most_10_managed_policies_per_role(fed):
    fed.create_role("many-policies", trust_policy(fed.provider_arn, fed.prefix))
    document = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                                   "Resource": "*"}]})
    arns = [fed.iam.create_policy(PolicyName="quota-%d" % i, PolicyDocument=document)["Policy"]["Arn"] for i in range(11)]
    for arn in arns[:10]:
        fed.iam.attach_role_policy(RoleName="many-policies", PolicyArn=arn)
    fed.iam.attach_role_policy(RoleName="many-policies", PolicyArn=arns[0])  # already attached: no change
    refused(lambda: fed.iam.attach_role_policy(RoleName="many-policies", PolicyArn=arns[10]), "LimitExceeded",
            "Cannot exceed quota for PoliciesPerRole: 10", 409)
    assert len(fed.iam.list_attached_role_policies(RoleName="many-policies")["AttachedPolicies"]) == 10
    fed.sandbox.configure(aws={"managed_policies_per_role": 20})
    fed.iam.attach_role_policy(RoleName="many-policies", PolicyArn=arns[10])


def test_at_most_100_client_ids_on_create(fed, issuer):
    refused(lambda: fed.iam.create_open_id_connect_provider(Url=issuer.url, ClientIDList=["c%d" % i for i in range(101)]),
            "LimitExceeded", "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100", 409)


def test_at_most_5_thumbprints_on_create_and_update(fed, issuer):
    six = ["%040x" % i for i in range(6)]
    refused(lambda: fed.iam.create_open_id_connect_provider(Url=issuer.url, ClientIDList=[CLIENT_ID], ThumbprintList=six),
            "InvalidInput", "Thumbprint list must contain fewer than 5 entries.")
    refused(lambda: fed.iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=fed.provider_arn,
                                                                       ThumbprintList=six),
            "InvalidInput", "Thumbprint list must contain fewer than 5 entries.")
    assert len(fed.iam.get_open_id_connect_provider(OpenIDConnectProviderArn=fed.provider_arn)["ThumbprintList"]) == 1


def test_at_most_10_session_policy_arns(fed):
    arns = [{"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}] * 11
    message = refused(lambda: fed.assume(PolicyArns=arns), "ValidationError")
    assert message.startswith("1 validation error detected: Value '[arn:aws:iam::aws:policy/ReadOnlyAccess, ")
    assert message.endswith("at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10")
    assert fed.assume(PolicyArns=arns[:10])


@pytest.mark.parametrize("call", ["create", "update"])
def test_max_session_duration_is_3600_to_43200(fed, call):
    strict = aws_client(fed.sandbox, "iam", parameter_validation=False)  # botocore checks the minimum itself
    name = "duration-" + call
    if call == "update":
        fed.create_role(name, trust_policy(fed.provider_arn, fed.prefix))

    def attempt(value):
        if call == "create":
            return strict.create_role(RoleName=name, AssumeRolePolicyDocument=trust_policy(fed.provider_arn, fed.prefix),
                                      MaxSessionDuration=value)
        return strict.update_role(RoleName=name, MaxSessionDuration=value)

    refused(lambda: attempt(50000), "ValidationError",
            "1 validation error detected: Value '50000' at 'maxSessionDuration' failed to satisfy constraint: "
            "Member must have value less than or equal to 43200")
    refused(lambda: attempt(3599), "ValidationError",
            "1 validation error detected: Value '3599' at 'maxSessionDuration' failed to satisfy constraint: "
            "Member must have value greater than or equal to 3600")
    attempt(43200)
    assert fed.iam.get_role(RoleName=name)["Role"]["MaxSessionDuration"] == 43200


def test_provider_url_with_a_query_is_refused(fed, issuer):
    message = refused(lambda: fed.iam.create_open_id_connect_provider(Url=issuer.url + "?tenant=a", ClientIDList=["a"]),
                      "InvalidInput")
    assert message.startswith("Invalid Open ID Connect Provider URL.")
    urls = [p["Arn"] for p in fed.iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
    assert not any("tenant" in u for u in urls)


def test_removing_the_last_client_id_is_refused(fed, issuer):
    arn = fed.iam.create_open_id_connect_provider(Url=issuer.url, ClientIDList=["only"])["OpenIDConnectProviderArn"]
    message = refused(lambda: fed.iam.remove_client_id_from_open_id_connect_provider(
        OpenIDConnectProviderArn=arn, ClientID="only"), "InvalidInput")
    assert "at least one" in message
    assert fed.iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ClientIDList"] == ["only"]
    fed.sandbox.configure(aws={"refuse_removing_last_client_id": False})
    fed.iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="only")
    assert fed.iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ClientIDList"] == []


def _tags_claim():
    return {"principal_tags": {"Project": ["Automation"]}, "transitive_tag_keys": ["Project"]}


def test_session_tags_in_the_token_need_sts_tag_session(fed):
    token = fed.token(**{"https://aws.amazon.com/tags": _tags_claim()})
    refused(lambda: fed.assume(token=token), "AccessDenied", NOT_AUTHORIZED, 403)
    policy = json.loads(trust_policy(fed.provider_arn, fed.prefix))
    policy["Statement"][0]["Action"] = ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]
    policy["Statement"][0]["Condition"]["StringEquals"]["aws:RequestTag/Project"] = "Automation"
    role_arn = fed.create_role("tagging", json.dumps(policy))
    assert fed.assume(token=token, role_arn=role_arn)
    other = fed.token(**{"https://aws.amazon.com/tags": {"principal_tags": {"Project": ["Other"]}}})
    refused(lambda: fed.assume(token=other, role_arn=role_arn), "AccessDenied", NOT_AUTHORIZED, 403)


def test_source_identity_in_the_token_needs_sts_set_source_identity(fed):
    token = fed.token(**{"https://aws.amazon.com/source_identity": "admin-alice"})
    refused(lambda: fed.assume(token=token), "AccessDenied", NOT_AUTHORIZED, 403)
    policy = json.loads(trust_policy(fed.provider_arn, fed.prefix))
    policy["Statement"][0]["Action"] = ["sts:AssumeRoleWithWebIdentity", "sts:SetSourceIdentity"]
    role_arn = fed.create_role("sourced", json.dumps(policy))
    assert fed.assume(token=token, role_arn=role_arn)["SourceIdentity"] == "admin-alice"
    assert "SourceIdentity" not in fed.assume(role_arn=role_arn)


def test_session_policy_that_is_not_json_is_a_malformed_policy_document(fed):
    message = refused(lambda: fed.assume(Policy="not json"), "MalformedPolicyDocument")
    assert message.startswith("Unexpected character ('n' (code 110)): expected a valid value (number, String, array, "
                              "object, 'true', 'false' or 'null')")


def test_provider_id_with_an_oidc_token_is_refused(fed):
    refused(lambda: fed.assume(ProviderId="www.amazon.com"), "InvalidIdentityToken", INVALID_TOKEN)
    fed.sandbox.configure(aws={"provider_id_with_oidc_token": "ignored"})
    assert fed.assume(ProviderId="www.amazon.com")


def test_oaud_is_not_a_condition_key_of_a_generic_provider(fed):
    conditions = {"ForAnyValue:StringEquals": {fed.prefix + ":oaud": CLIENT_ID}}
    role_arn = fed.create_role("oaud-only", trust_policy(fed.provider_arn, fed.prefix, conditions))
    refused(lambda: fed.assume(role_arn=role_arn), "AccessDenied", NOT_AUTHORIZED, 403)
    for key, value in (("azp", CLIENT_ID), ("amr", "pwd"), ("aud", CLIENT_ID), ("sub", SUBJECT)):
        operator = "ForAnyValue:StringEquals" if key == "amr" else "StringEquals"
        role_arn = fed.create_role("key-" + key, trust_policy(fed.provider_arn, fed.prefix,
                                                              {operator: {fed.prefix + ":" + key: value}}))
        assert fed.assume(role_arn=role_arn, token=fed.token(azp=CLIENT_ID, amr=["pwd"]))


# -- 3. token time rules ---------------------------------------------------------------------------

@pytest.mark.parametrize("past", [1, 198])
def test_no_skew_after_exp_by_default(fed, past):
    now = int(sandbox_now(fed.sandbox))
    token = fed.issuer.mint(now=now - 3600, exp=now - past)
    message = refused(lambda: fed.assume(token=token), "ExpiredTokenException")
    match = re.fullmatch(r"Token expired: current date/time (\d+) must be before the expiration date/time (\d+)", message)
    assert match and int(match.group(2)) == now - past and int(match.group(1)) >= now


def test_max_token_age_is_a_switch_answering_token_too_old(fed):
    now = int(sandbox_now(fed.sandbox))
    old = fed.issuer.mint(now=now - 700, exp=now + 3000)
    assert fed.assume(token=old)  # off by default
    fed.sandbox.configure(aws={"max_token_age_seconds": 600})
    message = refused(lambda: fed.assume(token=old), "ExpiredTokenException")
    match = re.fullmatch(r"Token too old: (\d+)", message)
    assert match and 700 <= int(match.group(1)) <= 710
    assert fed.assume(token=fed.token())  # a fresh token passes


# -- 4. thumbprints --------------------------------------------------------------------------------

def test_provider_without_thumbprints_gets_the_issuers_top_ca_thumbprint(fed, issuer):
    arn = fed.iam.create_open_id_connect_provider(Url=issuer.url, ClientIDList=[CLIENT_ID])["OpenIDConnectProviderArn"]
    assert fed.iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ThumbprintList"] == [
        ca_thumbprint(fed.sandbox)]


def test_provider_given_thumbprints_keeps_them(fed, issuer):
    arn = fed.iam.create_open_id_connect_provider(Url=issuer.url, ClientIDList=[CLIENT_ID],
                                                  ThumbprintList=["a" * 40])["OpenIDConnectProviderArn"]
    assert fed.iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ThumbprintList"] == ["a" * 40]


def test_unreachable_issuer_without_thumbprints_is_an_openid_idp_communication_error(fed):
    url = "https://127.0.0.1:%d" % free_port()
    refused(lambda: fed.iam.create_open_id_connect_provider(Url=url, ClientIDList=[CLIENT_ID]),
            "OpenIdIdpCommunicationError",
            "The request failed because IAM cannot connect to the OpenID Connect identity provider URL.")
    urls = [p["Arn"] for p in fed.iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
    assert not any(url[len("https://"):] in u for u in urls)
    fed.sandbox.configure(aws={"derive_thumbprint_on_create": False})
    arn = fed.iam.create_open_id_connect_provider(Url=url, ClientIDList=[CLIENT_ID])["OpenIDConnectProviderArn"]
    assert fed.iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ThumbprintList"] == []


def test_when_sts_does_not_trust_the_ca_only_a_matching_thumbprint_lets_the_keys_through(fed):
    fed.sandbox.configure(aws={"sts_trusts_sandbox_ca": False})
    assert fed.iam.get_open_id_connect_provider(OpenIDConnectProviderArn=fed.provider_arn)["ThumbprintList"] == [
        ca_thumbprint(fed.sandbox)]
    assert fed.assume()  # the derived thumbprint matches the chain the issuer presents
    fed.iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=fed.provider_arn, ThumbprintList=["b" * 40])
    try:
        refused(fed.assume, "InvalidIdentityToken", THUMBPRINT_MISMATCH)
        fed.sandbox.configure(aws={"sts_trusts_sandbox_ca": True})
        assert fed.assume()  # a trusted CA: thumbprints are not used
    finally:
        fed.iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=fed.provider_arn,
                                                           ThumbprintList=[ca_thumbprint(fed.sandbox)])


def test_a_pinned_thumbprint_admits_an_issuer_no_trusted_ca_signed(fed, tmp_path):
    cert_path, key_path, leaf_thumbprint = self_signed(tmp_path)
    with OidcIssuer(ensure_keys(fed.sandbox.directory), cert_path=cert_path, key_path=key_path) as untrusted:
        arn = fed.iam.create_open_id_connect_provider(Url=untrusted.url, ClientIDList=[CLIENT_ID])[
            "OpenIDConnectProviderArn"]
        assert fed.iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ThumbprintList"] == [leaf_thumbprint]
        role_arn = fed.create_role("pinned", trust_policy(arn, untrusted.url[len("https://"):]))
        token = untrusted.mint(now=sandbox_now(fed.sandbox))
        refused(lambda: fed.assume(token=token, role_arn=role_arn), "InvalidIdentityToken", THUMBPRINT_MISMATCH)
        fed.sandbox.configure(aws={"sts_trusts_sandbox_ca": False})
        assert fed.assume(token=token, role_arn=role_arn)["Provider"] == arn


# -- 5. partitions ---------------------------------------------------------------------------------

@pytest.mark.parametrize("partition, region", PARTITIONS)
def test_each_partition_federates_with_its_own_arns(fed, issuer, partition, region):
    iam = boto3.client("iam", endpoint_url=fed.sandbox.aws_endpoint, verify=fed.sandbox.ca_bundle, region_name=region,
                       aws_access_key_id="AKIASANDBOXTEST00000", aws_secret_access_key="sandbox-test-secret",
                       config=Config(retries={"total_max_attempts": 1}))
    arn = iam.create_open_id_connect_provider(Url=issuer.url, ClientIDList=[CLIENT_ID])["OpenIDConnectProviderArn"]
    assert arn.startswith("arn:%s:iam::%s:oidc-provider/" % (partition, fed.sandbox.account_id))
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="second")
    role_arn = iam.create_role(RoleName="in-" + partition, AssumeRolePolicyDocument=trust_policy(
        arn, issuer.url[len("https://"):]))["Role"]["Arn"]
    assert role_arn == "arn:%s:iam::%s:role/in-%s" % (partition, fed.sandbox.account_id, partition)
    answer = fed.assume(token=issuer.mint(now=sandbox_now(fed.sandbox)), role_arn=role_arn)
    assert answer["Provider"] == arn
    assert answer["AssumedRoleUser"]["Arn"] == "arn:%s:sts::%s:assumed-role/in-%s/oci-session" % (
        partition, fed.sandbox.account_id, partition)


@pytest.mark.parametrize("partition", ["aws-us-gov", "aws-cn"])
def test_provider_of_another_partition_is_not_found(fed, partition):
    role_arn = "arn:%s:iam::%s:role/oci-federated" % (partition, fed.sandbox.account_id)
    refused(lambda: fed.assume(role_arn=role_arn), "InvalidIdentityToken", NO_PROVIDER % fed.issuer.url)


def test_arn_of_an_unknown_partition_is_invalid(fed):
    refused(lambda: fed.assume(role_arn="arn:aws-xx:iam::%s:role/oci-federated" % fed.sandbox.account_id),
            "ValidationError", "Request ARN is invalid")


# -- 6. a token file written by echo ---------------------------------------------------------------

@pytest.mark.parametrize("wrapped", ["%s\n", "%s\r\n", " \t%s \n"])
def test_whitespace_around_the_token_is_ignored(fed, wrapped):
    assert fed.assume(token=wrapped % fed.token())["SubjectFromWebIdentityToken"] == SUBJECT


def test_whitespace_tolerance_is_a_switch(fed):
    fed.sandbox.configure(aws={"trim_token_whitespace": False})
    refused(lambda: fed.assume(token=fed.token() + "\n"), "InvalidIdentityToken", INVALID_TOKEN)


def test_the_published_procedure_with_echo_and_the_aws_cli_works(fed, tmp_path):
    """issue 14 §4, verbatim: echo "<access_token>" > idtoken.jwt, then the AWS CLI reads it with
    file:// and sends it with its trailing newline."""
    env = fed.sandbox.client_env()
    env["ACCESS_TOKEN"] = fed.token()
    env["ROLE_ARN"] = fed.role_arn
    env["HOME"] = str(tmp_path)
    script = ('echo "$ACCESS_TOKEN" > idtoken.jwt\n'
              'aws sts assume-role-with-web-identity --role-arn "$ROLE_ARN" --role-session-name oci-oidc-test '
              '--web-identity-token file://idtoken.jwt --output json\n')
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert (tmp_path / "idtoken.jwt").read_text().endswith("\n")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["SubjectFromWebIdentityToken"] == SUBJECT
    assert answer["AssumedRoleUser"]["Arn"].endswith(":assumed-role/oci-federated/oci-oidc-test")
    assert os.path.getsize(tmp_path / "idtoken.jwt") == len(env["ACCESS_TOKEN"]) + 1
