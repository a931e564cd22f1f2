import os

import pytest
from botocore.stub import Stubber

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.connection import (
    CONNECTION_OPTIONS, NEW_ENTITY, NEW_PRINCIPAL, AwsClient, AwsConnection, account_of, aws_argument_spec, caller_account
)
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.plan import Call, Plan
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import Unreachable, OciAwsError, OptionError, RetriesExhausted, ServiceError
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.aws_fakes import (
    TlsServer,
    clean_aws_environment,
    no_wait_retrier,
)

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


@pytest.fixture(autouse=True)
def environment(tmp_path):
    """No AWS setting of the machine leaks in; no shared files; no instance metadata lookups."""
    with clean_aws_environment():
        os.environ.update(AWS_CONFIG_FILE=str(tmp_path / "config"), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "creds"),
                          AWS_EC2_METADATA_DISABLED="true")
        yield


def connection(**kwargs):
    kwargs.setdefault("retrier", no_wait_retrier(max_attempts=4))
    kwargs.setdefault("region", "us-east-1")
    return AwsConnection(**kwargs)


def stubbed(service="iam", **kwargs):
    client = connection(access_key="AKIAFAKE", secret_key=SECRET, **kwargs).client(service)
    stubber = Stubber(client.client)
    stubber.activate()
    return client, stubber


def throttled(stubber, method="get_role", code="Throttling", status=400, headers=None, message="Rate exceeded"):
    stubber.add_client_error(method, service_error_code=code, service_message=message, http_status_code=status,
                             response_meta={"HTTPHeaders": headers or {}, "RequestId": "req-1"})


ROLE = {"Role": {"RoleName": "r", "Path": "/", "RoleId": "AROAEXAMPLEEXAMPLE01", "Arn": "arn:aws:iam::123456789012:role/r",
                 "CreateDate": "2026-01-01T00:00:00Z"}}


# -- options ---------------------------------------------------------------------------------------------

def test_argspec_has_amazon_aws_names_and_explicit_no_log_on_credentials():
    spec = aws_argument_spec()
    assert set(spec) == set(CONNECTION_OPTIONS)
    assert spec["access_key"]["aliases"] == ["aws_access_key_id", "aws_access_key"]
    assert spec["secret_key"]["aliases"] == ["aws_secret_access_key", "aws_secret_key"]
    assert spec["session_token"]["aliases"] == ["aws_session_token"]
    assert spec["endpoint_url"]["aliases"] == ["aws_endpoint_url"]
    assert {name: spec[name]["no_log"] for name in ("profile", "access_key", "secret_key", "session_token")} == {
        "profile": False, "access_key": False, "secret_key": True, "session_token": True}
    assert spec["validate_certs"]["default"] is True


@pytest.mark.parametrize("environ, expected", [
    ({"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-east-2"}, "eu-west-1"),
    ({"AWS_DEFAULT_REGION": "us-east-2"}, "us-east-2"),
    ({}, None),
])
def test_region_comes_from_the_environment(environ, expected):
    os.environ.update(environ)
    result = ArgumentSpecValidator(aws_argument_spec()).validate({})
    assert not result.error_messages
    assert result.validated_parameters["region"] == expected


def test_secrets_given_as_options_are_no_log_values():
    result = ArgumentSpecValidator(aws_argument_spec()).validate({"aws_secret_access_key": SECRET,
                                                                 "aws_session_token": "tok3n-value"})
    assert {SECRET, "tok3n-value"} <= result._no_log_values


@pytest.mark.parametrize("kwargs, option", [
    (dict(profile="p", access_key="AKIAFAKE", secret_key=SECRET), "profile"),
    (dict(profile="p", session_token="t"), "profile"),
    (dict(access_key="AKIAFAKE"), "secret_key"),
    (dict(secret_key=SECRET), "access_key"),
])
def test_conflicting_credentials(kwargs, option):
    with pytest.raises(OptionError) as info:
        connection(**kwargs)
    assert info.value.option == option
    assert SECRET not in info.value.msg


def test_from_options_takes_the_connection_options_only():
    made = AwsConnection.from_options({"region": "eu-west-1", "endpoint_url": "https://e", "issuer_url": "x",
                                       "validate_certs": True, "aws_ca_bundle": None})
    assert (made.region, made.endpoint_url) == ("eu-west-1", "https://e")


def test_unknown_profile():
    with pytest.raises(OptionError) as info:
        connection(profile="nowhere").client("iam")
    assert info.value.option == "profile"
    assert "nowhere" in info.value.msg


# -- clients ---------------------------------------------------------------------------------------------

def test_client_settings_and_botocore_retries_off():
    client = connection(endpoint_url="https://127.0.0.1:9443", aws_ca_bundle="/ca.pem").client("iam")
    assert client.client.meta.endpoint_url == "https://127.0.0.1:9443"
    assert client.client.meta.config.retries["total_max_attempts"] == 1
    assert "multicloud.oci_aws" in client.client.meta.config.user_agent_extra
    assert client.endpoint("create_open_id_connect_provider") == "iam:CreateOpenIDConnectProvider"


def test_standard_environment_is_enough_to_reach_an_endpoint():
    os.environ.update(AWS_ENDPOINT_URL="https://127.0.0.1:8443", AWS_DEFAULT_REGION="eu-west-1",
                      AWS_CA_BUNDLE="/sandbox/ca.pem", AWS_ACCESS_KEY_ID="AKIAENV", AWS_SECRET_ACCESS_KEY=SECRET)
    client = AwsConnection().client("sts")
    assert client.client.meta.endpoint_url == "https://127.0.0.1:8443"
    assert client.client.meta.region_name == "eu-west-1"
    assert client.client._endpoint.http_session._verify == "/sandbox/ca.pem"
    assert client.client._request_signer._credentials.access_key == "AKIAENV"


@pytest.mark.parametrize("kwargs, verify", [
    ({}, None),
    ({"aws_ca_bundle": "/ca.pem"}, "/ca.pem"),
    ({"validate_certs": True, "aws_ca_bundle": "/ca.pem"}, "/ca.pem"),
])
def test_certificate_verification_is_always_on(kwargs, verify):
    made = connection(**kwargs)
    assert made.verify == verify


def test_turning_certificate_verification_off_is_refused():
    with pytest.raises(OptionError) as raised:
        connection(validate_certs=False, aws_ca_bundle="/ca.pem")
    assert raised.value.option == "validate_certs"
    assert "aws_ca_bundle" in str(raised.value)


def test_unsigned_client_sends_no_credentials():
    client = connection(access_key="AKIAFAKE", secret_key=SECRET).client("sts", unsigned=True)
    from botocore import UNSIGNED
    assert client.client.meta.config.signature_version is UNSIGNED


# -- retries ---------------------------------------------------------------------------------------------

def test_throttling_and_server_errors_are_retried():
    client, stubber = stubbed(retrier=no_wait_retrier(max_attempts=4))
    throttled(stubber)
    throttled(stubber, code="ServiceUnavailable", status=503)
    stubber.add_response("get_role", ROLE, {"RoleName": "r"})
    assert client.call("get_role", RoleName="r")["Role"]["RoleName"] == "r"
    stubber.assert_no_pending_responses()


def test_retry_after_is_honoured():
    sleeps = []
    retrier = no_wait_retrier(max_attempts=3)
    retrier._sleep = sleeps.append
    retrier._uniform = lambda low, high: 0
    client, stubber = stubbed(retrier=retrier)
    throttled(stubber, headers={"retry-after": "7"})
    stubber.add_response("get_role", ROLE, {"RoleName": "r"})
    client.call("get_role", RoleName="r")
    assert sleeps == [7]


def test_retries_are_bounded_and_name_the_endpoint():
    client, stubber = stubbed(retrier=no_wait_retrier(max_attempts=3))
    for _attempt in range(3):
        throttled(stubber)
    with pytest.raises(RetriesExhausted) as info:
        client.call("get_role", RoleName="r")
    assert info.value.details["attempts"] == 3
    assert info.value.details["endpoint"] == "iam:GetRole"
    assert "Throttling (HTTP 400)" in info.value.msg


def test_a_refusal_is_not_retried_and_reports_code_status_and_request_id():
    client, stubber = stubbed()
    stubber.add_client_error("create_role", "MalformedPolicyDocument", "Invalid principal in policy", 400,
                             response_meta={"RequestId": "req-42"})
    with pytest.raises(ServiceError) as info:
        client.call("create_role", RoleName="r", AssumeRolePolicyDocument="{}")
    assert info.value.details == {"endpoint": "iam:CreateRole", "error_code": "MalformedPolicyDocument",
                                  "status": 400, "request_id": "req-42"}
    assert "Invalid principal in policy" in info.value.msg and "req-42" in info.value.msg
    stubber.assert_no_pending_responses()


def test_eventual_consistency_is_retried_only_when_asked():
    client, stubber = stubbed()
    stubber.add_client_error("put_role_policy", "NoSuchEntity", "Role r not found", 404)
    stubber.add_response("put_role_policy", {})
    client.call("put_role_policy", eventual=NEW_ENTITY, RoleName="r", PolicyName="p", PolicyDocument="{}")
    stubber.assert_no_pending_responses()

    stubber.add_client_error("put_role_policy", "NoSuchEntity", "Role r not found", 404)
    with pytest.raises(ServiceError):
        client.call("put_role_policy", RoleName="r", PolicyName="p", PolicyDocument="{}")


def test_new_principal_retry_matches_the_message():
    client, stubber = stubbed()
    stubber.add_client_error("create_role", "MalformedPolicyDocument", "Invalid principal in policy", 400)
    stubber.add_response("create_role", ROLE)
    client.call("create_role", eventual=NEW_PRINCIPAL, RoleName="r", AssumeRolePolicyDocument="{}")
    stubber.add_client_error("create_role", "MalformedPolicyDocument", "Syntax errors in policy", 400)
    with pytest.raises(ServiceError):
        client.call("create_role", eventual=NEW_PRINCIPAL, RoleName="r", AssumeRolePolicyDocument="{}")


def test_refused_endpoint_is_a_configuration_error_not_retried():
    # Issue 11 item 15: a refused connection used to be retried as "may be down or throttling".
    client = connection(endpoint_url="https://127.0.0.1:9", access_key="AKIAFAKE", secret_key=SECRET,
                        retrier=no_wait_retrier(max_attempts=2)).client("iam")
    with pytest.raises(Unreachable) as info:
        client.call("get_role", RoleName="r")
    assert info.value.option == "endpoint_url"
    assert "https://127.0.0.1:9" in info.value.msg and "refused the connection" in info.value.msg


def test_untrusted_certificate_names_aws_ca_bundle(tmp_path):
    server = TlsServer(str(tmp_path))
    try:
        client = connection(endpoint_url=server.url, access_key="AKIAFAKE", secret_key=SECRET).client("iam")
        with pytest.raises(ServiceError) as info:
            client.call("get_role", RoleName="r")
        assert "aws_ca_bundle" in info.value.msg
        trusted = connection(endpoint_url=server.url, access_key="AKIAFAKE", secret_key=SECRET,
                             aws_ca_bundle=server.ca_path).client("iam")
        with pytest.raises(ServiceError) as info:  # trusted now: the server's 404 is IAM's refusal
            trusted.call("get_role", RoleName="r")
        assert info.value.details["status"] == 404
    finally:
        server.close()


def test_no_credentials_names_the_options():
    client = connection().client("iam")
    with pytest.raises(OptionError) as info:
        client.call("get_role", RoleName="r")
    assert info.value.option == "access_key"
    assert "AWS_ACCESS_KEY_ID" in info.value.msg


def test_invalid_parameters_are_reported_without_their_values():
    client = connection(endpoint_url="https://127.0.0.1:9", access_key="AKIAFAKE", secret_key=SECRET).client("iam")
    with pytest.raises(OciAwsError) as info:
        client.call("get_role", RoleName=["s3cr3t-value"])
    assert "RoleName" in info.value.msg
    assert "s3cr3t-value" not in info.value.msg


def test_list_all_follows_markers():
    client, stubber = stubbed()
    stubber.add_response("list_role_policies", {"PolicyNames": ["a", "b"], "IsTruncated": True, "Marker": "m1"},
                         {"RoleName": "r"})
    stubber.add_response("list_role_policies", {"PolicyNames": ["c"], "IsTruncated": False},
                         {"RoleName": "r", "Marker": "m1"})
    assert client.list_all("list_role_policies", "PolicyNames", RoleName="r") == ["a", "b", "c"]


def test_caller_account_and_account_of():
    client, stubber = stubbed("sts")
    stubber.add_response("get_caller_identity", {"Account": "123456789012", "UserId": "AIDAEXAMPLE",
                                                 "Arn": "arn:aws-cn:iam::123456789012:user/admin"})
    assert caller_account(client) == ("aws-cn", "123456789012")
    assert account_of("arn:aws:iam::210987654321:role/x/y") == ("aws", "210987654321")


# -- plans -----------------------------------------------------------------------------------------------

def test_plan_changed_and_created_elsewhere():
    assert not Plan(None, None, []).changed
    plan = Plan(None, "after", [Call("create_role", RoleName="r")])
    assert plan.changed
    exists = ServiceError("exists", error_code="EntityAlreadyExists")
    assert plan.created_elsewhere(exists)
    assert not plan.created_elsewhere(ServiceError("other", error_code="LimitExceeded"))
    assert not Plan("before", "after", [Call("update_role")]).created_elsewhere(exists)


def test_call_sends_its_operation_with_its_retry_rules():
    sent = []

    class Client(AwsClient):
        def __init__(self):
            pass

        def call(self, operation, eventual=(), **params):
            sent.append((operation, eventual, params))
            return "answer"

    assert Call("put_role_policy", eventual=NEW_ENTITY, RoleName="r").send(Client()) == "answer"
    assert sent == [("put_role_policy", NEW_ENTITY, {"RoleName": "r"})]


def test_a_removal_found_done_already_is_success():
    client, stubber = stubbed()
    stubber.add_client_error("delete_role", "NoSuchEntity", "Role r not found", 404)
    assert Call("delete_role", done_if="NoSuchEntity", RoleName="r").send(client) == {}
    stubber.add_client_error("delete_role", "DeleteConflict", "Cannot delete entity", 409)
    with pytest.raises(ServiceError):
        Call("delete_role", done_if="NoSuchEntity", RoleName="r").send(client)
    stubber.add_client_error("delete_role", "NoSuchEntity", "Role r not found", 404)
    with pytest.raises(ServiceError):
        Call("delete_role", RoleName="r").send(client)
