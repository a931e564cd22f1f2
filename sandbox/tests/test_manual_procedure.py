"""The manual procedure, done literally against the sandbox, fails with the real error at each
missing step and succeeds once every step is done (issue 2, section 4)."""

import json

import botocore.exceptions
import pytest

from oci_aws_sandbox.procedure import ManualProcedure, StepFailed


@pytest.fixture
def procedure(fresh_sandbox):
    return ManualProcedure(fresh_sandbox)


def sts_error(procedure, token, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        procedure.assume(token, **kwargs)
    error = info.value.response["Error"]
    return error["Code"], error["Message"], info.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_every_step_done_gives_credentials_that_work(procedure, fresh_sandbox):
    answer = procedure.run_all()
    credentials = answer["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    assert answer["AssumedRoleUser"]["Arn"] == "arn:aws:sts::%s:assumed-role/%s/oci-oidc-test" % (
        fresh_sandbox.account_id, procedure.role_name)
    assert answer["SubjectFromWebIdentityToken"] == procedure.app["client_id"]
    _bucket, body = procedure.s3_roundtrip(credentials)
    assert body == b"hello from OCI"


def test_under_iam_propagation_the_procedure_settles_its_own_set_up_and_nothing_later(procedure, fresh_sandbox):
    # The sandbox's own step 5 is made visible at once (POST /iam/settle), so set-ups need not wait; a change made
    # after the set-up is still seen late.
    fresh_sandbox.configure(aws={"iam_propagation_seconds": 600})
    assert procedure.run_all()["AssumedRoleUser"]["Arn"].endswith("/%s/oci-oidc-test" % procedure.role_name)
    prefix = procedure.domain_url.split("://", 1)[1]
    denying = procedure.iam.get_role(RoleName=procedure.role_name)["Role"]["AssumeRolePolicyDocument"]
    denying["Statement"][0]["Condition"]["StringEquals"][prefix + ":sub"] = "someone-else"
    procedure.iam.update_assume_role_policy(RoleName=procedure.role_name, PolicyDocument=json.dumps(denying))
    assert procedure.assume(procedure.token())  # the old trust, for 600 s
    fresh_sandbox.settle_iam()
    assert sts_error(procedure, procedure.token())[0] == "AccessDenied"


def test_issuer_not_changed(procedure):
    procedure.create_app()
    procedure.make_signing_keys_public()
    procedure.create_provider_and_role()
    code, message, status = sts_error(procedure, procedure.token())
    assert (code, status) == ("InvalidIdentityToken", 400)
    assert "No OpenIDConnect provider found" in message
    assert "https://identity.oraclecloud.com/" in message


def test_signing_keys_not_public(procedure):
    procedure.create_app()
    procedure.set_issuer()
    procedure.create_provider_and_role()
    code, message, _status = sts_error(procedure, procedure.token())
    assert code == "InvalidIdentityToken"
    assert "verification key" in message


def test_resource_server_missing(procedure):
    procedure.create_app(resource_server=False)
    procedure.set_issuer()
    procedure.make_signing_keys_public()
    response = procedure.request_token()
    assert response.status_code in (400, 401)
    assert response.json()["error"] == "invalid_scope"


def test_scope_not_defined(procedure):
    procedure.create_app()
    response = procedure.request_token(scope=procedure.audience + "/not-defined")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


def test_client_credentials_grant_missing(procedure):
    procedure.create_app(client_grant=False)
    response = procedure.request_token()
    assert response.status_code in (400, 401)
    assert response.json()["error"] == "unauthorized_client"


def test_app_not_activated(procedure):
    procedure.create_app(activate=False)
    response = procedure.request_token()
    assert response.status_code in (400, 401)
    assert response.json()["error"] in ("invalid_client", "unauthorized_client")


def test_wrong_secret(procedure):
    procedure.create_app()
    response = procedure.request_token(client_secret="not-the-secret")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_trust_policy_audience_wrong(procedure):
    procedure.create_app()
    procedure.set_issuer()
    procedure.make_signing_keys_public()
    procedure.create_provider_and_role(condition_audience="sts.amazonaws.com")
    code, message, status = sts_error(procedure, procedure.token())
    assert (code, status) == ("AccessDenied", 403)
    assert "Not authorized to perform sts:AssumeRoleWithWebIdentity" in message


def test_provider_client_id_is_not_the_audience(procedure):
    procedure.create_app()
    procedure.set_issuer()
    procedure.make_signing_keys_public()
    procedure.create_provider_and_role(client_ids=["sts.amazonaws.com"])
    code, message, _status = sts_error(procedure, procedure.token())
    assert code == "InvalidIdentityToken"
    assert "audience" in message.lower()


def test_token_with_two_audiences(procedure):
    procedure.create_app(secondary_audiences=["https://other.example.com"])
    procedure.set_issuer()
    procedure.make_signing_keys_public()
    procedure.create_provider_and_role()
    code, _message, _status = sts_error(procedure, procedure.token())
    assert code == "InvalidIdentityToken"


def test_duration_above_the_role_maximum(procedure):
    procedure.create_app()
    procedure.set_issuer()
    procedure.make_signing_keys_public()
    procedure.create_provider_and_role(max_session_duration=3600)
    code, message, _status = sts_error(procedure, procedure.token(), duration_seconds=7200)
    assert code == "ValidationError"
    assert "MaxSessionDuration" in message


def test_expired_token(procedure, fresh_sandbox):
    procedure.run_all()
    token = procedure.token()
    # 200 s past exp: a real STS refused a token 198 s past exp (awslabs/aws-orbit-workbench#707);
    # the five minutes of skew the IAM guide mentions are only the switch's other value (issue 13 §3)
    fresh_sandbox.shift_clock(3600 + 200)
    code, message, _status = sts_error(procedure, token)
    assert code == "ExpiredTokenException"
    assert "expired" in message.lower()
    fresh_sandbox.configure(aws={"clock_skew_seconds": 300})
    assert procedure.assume(token)["Credentials"]["AccessKeyId"]
    fresh_sandbox.shift_clock(3600 + 400)
    code, message, _status = sts_error(procedure, token)
    assert code == "ExpiredTokenException"
    assert "expired" in message.lower()


def test_admin_step_refused_without_signature(procedure, fresh_sandbox):
    procedure.http.auth = None
    with pytest.raises(StepFailed) as info:
        procedure.create_app()
    assert "HTTP 401" in str(info.value)
