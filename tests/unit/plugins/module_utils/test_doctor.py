"""The doctor's step checks (module_utils/_doctor.py), with a fake domain and a fake IAM: each finding lands at its
step, only reads are made, and a Breakpoint raised by the exchange is reported at its own step with 6 and 7 as its
consequences."""

import copy
import json

import pytest

from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import Breakpoint, OptionError, ServiceError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._doctor import FederationCheck
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.oci_fakes import (
    DOMAIN_URL, FakeDomain, converged_app
)

ACCOUNT = "123456789012"
PROVIDER_ID = DOMAIN_URL[len("https://"):]
PROVIDER_ARN = "arn:aws:iam::%s:oidc-provider/%s" % (ACCOUNT, PROVIDER_ID)
ROLE_ARN = "arn:aws:iam::%s:role/oci-federated" % ACCOUNT
GOOD_SETTINGS = {"issuer": DOMAIN_URL, "signingCertPublicAccess": True}


def trust(aud="sts.amazon.com", sub=None, federated=PROVIDER_ARN):
    conditions = {PROVIDER_ID + ":aud": aud}
    if sub:
        conditions[PROVIDER_ID + ":sub"] = sub
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": federated}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": conditions}}]}


class FakeIam:
    """The two IAM reads the doctor makes; anything else fails the test."""

    def __init__(self, provider=True, client_ids=("sts.amazon.com",), role=True, trust_policy=None, max_session=3600):
        self.provider = provider and {"Url": PROVIDER_ID, "ClientIDList": list(client_ids), "ThumbprintList": []}
        self.role = role and {"RoleName": "oci-federated", "Arn": ROLE_ARN, "Path": "/", "MaxSessionDuration": max_session,
                              "AssumeRolePolicyDocument": trust_policy or trust()}
        self.calls = []

    def call(self, operation, eventual=(), **params):
        self.calls.append(operation)
        if operation == "get_open_id_connect_provider":
            assert params["OpenIDConnectProviderArn"] == PROVIDER_ARN
            answer = self.provider
        elif operation == "get_role":
            answer = self.role and {"Role": self.role}
        else:
            raise AssertionError("the doctor called %s" % operation)
        if not answer:
            raise ServiceError("NoSuchEntity", error_code="NoSuchEntity")
        return copy.deepcopy(answer)


class FakeExchange:
    def __init__(self, token_error=None, sts_error=None):
        self.token_error, self.sts_error = token_error, sts_error
        self.spec = self
        self.token_source = self

    def current(self, now):
        if self.token_error:
            raise self.token_error
        return type("Token", (), dict(claims={"sub": "client_1"}, audiences=lambda self: ["sts.amazon.com"]))()

    def run(self):
        if self.sts_error:
            raise self.sts_error
        return type("Credentials", (), dict(assumed_role_arn=ROLE_ARN.replace(":role/", ":assumed-role/"),
                                            expiration="2026-12-01T00:00:00Z"))()


def doctor(app=None, settings=None, iam=None, exchange=None, **options):
    domain = FakeDomain(apps=[converged_app(**(app or {}))], settings=settings or GOOD_SETTINGS)
    iam = iam or FakeIam()
    options.setdefault("display_name", "aws-sts-oidc")
    check = FederationCheck(domain, iam, DOMAIN_URL, ROLE_ARN, exchange=(lambda cid, aud: exchange) if exchange else None,
                            **options)
    result = check.run()
    assert domain.writes == [] and set(iam.calls) <= {"get_open_id_connect_provider", "get_role"}
    return result


def statuses(result):
    return "".join(s["status"][0] for s in result["steps"])  # r(ight), w(rong), n(ot checked)


def parts(result, step):
    return [(f["part"], f["problem"]) for f in result["steps"][int(step) - 1]["findings"]]


def test_everything_right():
    result = doctor(exchange=FakeExchange())
    assert (statuses(result), result["ok"], result["broken_step"]) == ("rrrrrrr", True, None)
    assert "STS returned credentials for" in result["steps"][6]["note"]
    assert result["app"]["client_id"] == "client_1" and result["role"]["arn"] == ROLE_ARN


def test_without_an_exchange_steps_six_and_seven_are_not_checked():
    result = doctor()
    assert statuses(result) == "rrrrrnn" and result["ok"] is False and result["broken_step"] is None


@pytest.mark.parametrize("app, settings, iam, step, part, text", [
    (dict(clientType="public"), None, None, "1", "1", "public app"),
    (dict(isOAuthResource=False), None, None, "2", "2.1", "not a resource server"),
    (dict(audience="sts.amazonaws.com"), None, None, "2", "2.1", "primary audience is 'sts.amazonaws.com'"),
    (dict(secondaryAudiences=["https://x.example.com"]), None, None, "2", "2.1", "secondary audiences"),
    (dict(scopes=[{"value": "/reports"}]), None, None, "2", "2.1", "no scope /"),
    (dict(allowedGrants=[]), None, None, "2", "2.2", "client credentials grant"),
    (dict(allowedScopes=[]), None, None, "2", "2.2", "may not request the scope sts.amazon.com/"),
    (dict(active=False), None, None, "2", "2.3", "not activated"),
    (None, {"issuer": "https://identity.oraclecloud.com/", "signingCertPublicAccess": True}, None, "3", "3",
     "service default"),
    (None, {"issuer": DOMAIN_URL + "/", "signingCertPublicAccess": True}, None, "3", "3", "must be identical"),
    (None, {"issuer": DOMAIN_URL, "signingCertPublicAccess": False}, None, "4", "4", "not public"),
    (None, None, FakeIam(provider=False), "5", "5", "has no IAM OIDC provider"),
    (None, None, FakeIam(client_ids=["other"]), "5", "5", "not a client ID"),
    (None, None, FakeIam(role=False), "5", "5", "does not exist"),
    (None, None, FakeIam(trust_policy=trust(sub="someone-else")), "5", "5", ":sub requires someone-else"),
    (None, None, FakeIam(trust_policy=trust(federated="arn:aws:iam::1:oidc-provider/x")), "5", "5", "No statement federates"),
    (None, None, FakeIam(max_session=600), "5", "5", "maximum session duration"),
])
def test_each_wrong_setting_is_found_at_its_step(app, settings, iam, step, part, text):
    result = doctor(app=app, settings=settings, iam=iam, audience="sts.amazon.com", duration_seconds=900)
    assert result["broken_step"] == step, result["summary"]
    assert any(p == part and text in problem for p, problem in parts(result, step)), parts(result, step)
    assert all(f["fix"] for s in result["steps"] for f in s["findings"])


def test_no_app_leaves_the_app_steps_unchecked_but_checks_the_rest():
    domain = FakeDomain(apps=[], settings=GOOD_SETTINGS)
    result = FederationCheck(domain, FakeIam(), DOMAIN_URL, ROLE_ARN, display_name="nowhere").run()
    assert statuses(result)[:5] == "wnrrr" and "'nowhere'" in parts(result, "1")[0][1]


def test_a_breakpoint_from_the_token_is_reported_at_its_step_and_blocks_six_and_seven():
    result = doctor(exchange=FakeExchange(token_error=Breakpoint("2.1", "the token has 2 audiences")))
    assert result["broken_step"] == "2" and statuses(result)[5:] == "ww"
    assert [f["cause"] for f in result["steps"][5]["findings"]] == [False]


def test_an_expired_token_is_step_six():
    result = doctor(exchange=FakeExchange(sts_error=Breakpoint("6", "the token expired at ...")))
    assert result["broken_step"] == "6" and statuses(result) == "rrrrrww"
    assert result["steps"][6]["findings"][0]["cause"] is False


def test_an_sts_refusal_for_step_five_is_step_five():
    result = doctor(exchange=FakeExchange(sts_error=Breakpoint("5", "STS said AccessDenied")))
    assert result["broken_step"] == "5" and statuses(result) == "rrrrwrw"


def test_give_the_app_by_name_or_client_id():
    with pytest.raises(OptionError) as caught:
        doctor(display_name=None)
    assert caught.value.option == "display_name"


def test_the_report_is_json_and_secret_free():
    result = doctor(exchange=FakeExchange())
    assert "old-secret" not in json.dumps(result)
