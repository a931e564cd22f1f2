"""Fidelity of the sandbox's IAM OIDC-provider calls: the client-ID calls moto lacks, the https-only
provider URL, the real duplicate error, and the account-level behaviour the collection relies on
(facts: shared/reference/aws-sts-oidc.md §1.3, §2.6; IAM API reference)."""

import json

import pytest

from oci_aws_sandbox.aws import AwsCloud

from aws_support import aws_client, refused

URL = "https://idcs-0123456789abcdef.identity.example"
# The host above does not exist: IAM contacts the issuer only when no thumbprint is given, so the
# providers of these tests are created with one.
THUMBPRINT = "0123456789abcdef0123456789abcdef01234567"
ARN_SUFFIX = ":oidc-provider/idcs-0123456789abcdef.identity.example"


@pytest.fixture
def iam(fresh_sandbox):
    return aws_client(fresh_sandbox, "iam")


@pytest.fixture
def provider_arn(iam):
    return iam.create_open_id_connect_provider(Url=URL, ClientIDList=["sts.amazon.com"], ThumbprintList=[THUMBPRINT])[
        "OpenIDConnectProviderArn"]


def client_ids(iam, arn):
    return iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ClientIDList"]


# -- CreateOpenIDConnectProvider -------------------------------------------------------------------

def test_provider_arn_and_url_are_stored_as_iam_stores_them(iam, fresh_sandbox, provider_arn):
    assert provider_arn == "arn:aws:iam::%s%s" % (fresh_sandbox.account_id, ARN_SUFFIX)
    provider = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=provider_arn)
    assert provider["Url"] == URL[len("https://"):]
    assert provider["ClientIDList"] == ["sts.amazon.com"]
    assert provider["ThumbprintList"] == [THUMBPRINT]


def test_http_provider_url_is_refused(iam):
    refused(lambda: iam.create_open_id_connect_provider(Url="http://idcs.example", ClientIDList=["a"]),
            "InvalidInput", "Invalid Open ID Connect Provider URL. The URL must begin with https://.")
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []


def test_second_provider_for_the_same_url_already_exists(iam, provider_arn):
    refused(lambda: iam.create_open_id_connect_provider(Url=URL, ClientIDList=["other"]),
            "EntityAlreadyExists", "Provider with url %s already exists." % URL, 409)
    assert client_ids(iam, provider_arn) == ["sts.amazon.com"]


def test_trailing_slash_makes_another_provider(iam, provider_arn):
    other = iam.create_open_id_connect_provider(Url=URL + "/", ClientIDList=["a"], ThumbprintList=[THUMBPRINT])[
        "OpenIDConnectProviderArn"]
    assert other == provider_arn + "/"


# -- AddClientIDToOpenIDConnectProvider ------------------------------------------------------------

def test_add_client_id_is_idempotent(iam, provider_arn):
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=provider_arn, ClientID="second")
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=provider_arn, ClientID="second")
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=provider_arn, ClientID="sts.amazon.com")
    assert client_ids(iam, provider_arn) == ["sts.amazon.com", "second"]


def test_add_client_id_to_unknown_provider_is_no_such_entity(iam, provider_arn):
    unknown = provider_arn + "-gone"
    refused(lambda: iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=unknown, ClientID="x"),
            "NoSuchEntity", "OpenIDConnect Provider not found for arn %s" % unknown, 404)


def test_add_client_id_with_an_arn_that_is_not_a_provider_is_invalid_input(iam, fresh_sandbox):
    arn = "arn:aws:iam::%s:role/not-a-provider" % fresh_sandbox.account_id
    refused(lambda: iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="x"),
            "InvalidInput")


def test_client_id_longer_than_255_characters_is_a_validation_error(iam, provider_arn):
    long_id = "c" * 256
    refused(lambda: iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=provider_arn, ClientID=long_id),
            "ValidationError",
            "1 validation error detected: Value '%s' at 'clientID' failed to satisfy constraint: "
            "Member must have length less than or equal to 255" % long_id)


def test_more_than_100_client_ids_exceed_the_quota(iam):
    arn = iam.create_open_id_connect_provider(Url=URL, ClientIDList=["id-%d" % i for i in range(99)],
                                              ThumbprintList=[THUMBPRINT])["OpenIDConnectProviderArn"]
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="id-99")
    refused(lambda: iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="id-100"),
            "LimitExceeded", "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100", 409)
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="id-0")  # still idempotent
    assert len(client_ids(iam, arn)) == 100


# -- RemoveClientIDFromOpenIDConnectProvider -------------------------------------------------------

def test_remove_client_id_is_idempotent(iam, provider_arn):
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=provider_arn, ClientID="second")
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=provider_arn, ClientID="sts.amazon.com")
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=provider_arn, ClientID="sts.amazon.com")
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=provider_arn, ClientID="never-added")
    assert client_ids(iam, provider_arn) == ["second"]


def test_remove_client_id_from_unknown_provider_is_no_such_entity(iam, provider_arn):
    unknown = provider_arn + "-gone"
    refused(lambda: iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=unknown, ClientID="x"),
            "NoSuchEntity", "OpenIDConnect Provider not found for arn %s" % unknown, 404)


def test_client_id_calls_answer_the_iam_xml_shape(iam, provider_arn):
    raw = []
    iam.meta.events.register("after-call.iam.AddClientIDToOpenIDConnectProvider",
                             lambda http_response, **_: raw.append(http_response))
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=provider_arn, ClientID="raw")
    assert raw[0].status_code == 200
    assert raw[0].headers["Content-Type"].startswith("text/xml")
    body = raw[0].text
    assert body.startswith('<AddClientIDToOpenIDConnectProviderResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">')
    assert "<RequestId>" in body and "Result>" not in body


# -- the rest of the account -----------------------------------------------------------------------

def test_aws_managed_policies_attach(iam):
    iam.create_role(RoleName="reader", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))
    iam.attach_role_policy(RoleName="reader", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    attached = iam.list_attached_role_policies(RoleName="reader")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == ["arn:aws:iam::aws:policy/ReadOnlyAccess"]


def test_reset_gives_a_fresh_account_and_default_options(fresh_sandbox, iam, provider_arn):
    fresh_sandbox.configure(aws={"reject_multi_valued_aud": False})
    fresh_sandbox.reset()
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []
    assert fresh_sandbox.call("GET", "/config")["aws"] == AwsCloud.OPTIONS


def test_unknown_option_is_refused(fresh_sandbox):
    with pytest.raises(Exception, match="unknown aws option"):
        fresh_sandbox.configure(aws={"no_such_switch": True})
