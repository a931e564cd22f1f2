"""Step 7 and the option adapter: every option checked before any request, STS called with retries,
and each refusal of STS turned into the step to fix."""

import datetime
import os

import certifi
import pytest

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.connection import CONNECTION_OPTIONS
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OciAwsError, OptionError, RetriesExhausted, ServiceError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.options import OPTIONS, OptionAdapter, exchange_argument_spec
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.credentials import Credentials
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.sts import Exchange
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.spec import ExchangeSpec
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.policy import trust_findings
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import Breakpoint
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.token import ClientCredentials, GivenToken
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.aws_fakes import (
    clean_aws_environment,
    no_wait_retrier,
)
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.exchange_fakes import (
    ACCOUNT,
    CLIENT_ID,
    CLIENT_SECRET,
    DOMAIN_URL,
    NOW,
    PROVIDER_ID,
    ROLE_ARN,
    SECRET_KEY,
    SESSION_TOKEN,
    TOKEN_URL,
    TokenEndpoint,
    make_token,
    sts_client,
    sts_error,
    sts_success,
    token_answer,
)

PROVIDER_ARN = "arn:aws:iam::%s:oidc-provider/%s" % (ACCOUNT, PROVIDER_ID)
TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Federated": PROVIDER_ARN}, "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringEquals": {PROVIDER_ID + ":aud": "sts.amazon.com", PROVIDER_ID + ":sub": "another-client"}}}]}


@pytest.fixture(autouse=True)
def environment(tmp_path):
    with clean_aws_environment():
        os.environ.update(AWS_CONFIG_FILE=str(tmp_path / "config"), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "creds"),
                          AWS_EC2_METADATA_DISABLED="true")
        yield


def options(**changes):
    base = dict(domain_url=DOMAIN_URL, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, role_arn=ROLE_ARN,
                region="us-east-1")
    base.update(changes)
    return OptionAdapter.from_dict(dict((k, v) for k, v in base.items() if v is not None))


def spec_for(endpoint=None, **changes):
    return ExchangeSpec.from_options(options(**changes), retrier=no_wait_retrier(max_attempts=4),
                                     post=endpoint or TokenEndpoint(token_answer()))


class Clock:
    def __init__(self, now=NOW):
        self.now = now

    def __call__(self):
        return self.now


def exchange(spec, read_role=None, clock=None):
    return Exchange(spec, read_role=read_role, clock=clock or Clock())


# -- options ---------------------------------------------------------------------------------------

def test_the_argument_spec_covers_every_option_with_explicit_no_log():
    spec = exchange_argument_spec()
    assert set(spec) == set(OPTIONS)
    assert [name for name in spec if spec[name].get("no_log")] == ["client_secret", "token", "secret_key", "session_token"]
    result = ArgumentSpecValidator(spec).validate(dict(role_arn=ROLE_ARN))
    assert result.validated_parameters["audience"] == "sts.amazon.com"
    assert result.validated_parameters["role_session_name"] == "ansible-oci-aws"
    assert result.validated_parameters["duration_seconds"] == 3600


def test_the_adapter_treats_none_as_not_set():
    adapter = OptionAdapter.from_dict({"audience": "a", "role_arn": None})
    assert adapter.get("audience") == "a"
    assert adapter.get("role_arn", "default") == adapter.get("missing", "default") == "default"
    assert adapter.as_dict(("audience", "role_arn")) == {"audience": "a", "role_arn": None}


def test_defaults_scope_and_issuer_follow_the_audience_and_the_domain():
    spec = spec_for(audience="api.example.com", domain_url=DOMAIN_URL + ":443/")
    assert spec.token_source.token_url == TOKEN_URL
    assert spec.token_source.scope == "api.example.com/"
    assert spec.expectations.issuer == DOMAIN_URL
    assert spec.role_name == "oci-reporting" and spec.warnings == []


def test_token_url_and_issuer_replace_what_the_domain_gives():
    spec = spec_for(token_url="https://proxy.example.com/oauth2/v1/token", issuer=DOMAIN_URL + "/", domain_url=None)
    assert spec.token_source.token_url == "https://proxy.example.com/oauth2/v1/token"
    assert spec.expectations.issuer == DOMAIN_URL + "/"


def test_a_domain_with_a_port_warns():
    assert "has a port" in spec_for(domain_url="https://127.0.0.1:8443").warnings[0]


def test_unverified_aws_endpoints_are_refused():
    with pytest.raises(OptionError) as raised:
        spec_for(validate_certs=False)
    assert raised.value.option == "validate_certs"


@pytest.mark.parametrize("changes, option, words", [
    (dict(domain_url="http://idcs-1.identity.oraclecloud.com"), "domain_url", "https://"),
    (dict(domain_url=DOMAIN_URL + "/oauth2"), "domain_url", "without a path"),
    (dict(domain_url=None), "issuer", "domain_url"),
    (dict(domain_url=None, issuer=DOMAIN_URL), "domain_url", "needs domain_url"),
    (dict(issuer="http://x.example.com"), "issuer", "https://"),
    (dict(token_url="https://user:pw@x.example.com/t"), "token_url", "user information"),
    (dict(client_id=None), "client_id", "without client_id"),
    (dict(client_id=None, client_secret=None), "client_id", "no token source"),
    (dict(client_secret=None), "client_secret", "required"),
    (dict(token="x.y.z"), "token", "one source"),
    (dict(client_id=None, client_secret=None, token="x.y.z", token_file="/t"), "token_file", "one source"),
    (dict(client_id=None, client_secret=None, token="not-a-jwt"), "token", "not a usable JSON Web Token"),
    (dict(client_id=None, client_secret=None, token_file="/does/not/exist"), "token_file", "not a readable file"),
    (dict(cert_bundle="/does/not/exist"), "cert_bundle", "not a readable file"),
    (dict(audience="sts.amazon.com,sts.amazonaws.com"), "audience", "one value"),
    (dict(audience="a b"), "audience", "one value"),
    (dict(role_arn=None), "role_arn", "ARN of an IAM role"),
    (dict(role_arn="arn:aws:iam::123:role/x"), "role_arn", "12-digit"),
    (dict(role_arn="arn:aws:iam::123456789012:user/x"), "role_arn", "ARN of an IAM role"),
    (dict(role_session_name="a"), "role_session_name", "2 to 64"),
    (dict(role_session_name="has space"), "role_session_name", "no spaces"),
    (dict(role_session_name="x" * 65), "role_session_name", "2 to 64"),
    (dict(duration_seconds=899), "duration_seconds", "between 900"),
    (dict(duration_seconds=43201), "duration_seconds", "between 900"),
    (dict(duration_seconds="soon"), "duration_seconds", "number of seconds"),
    (dict(policy="{not json"), "policy", "not valid JSON"),
    (dict(policy={"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*"}]}), "policy", "Resource"),
    (dict(policy={"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*",
                                                          "Resource": ["arn:aws:s3:::b/%04d" % i for i in range(200)]}]}),
     "policy", "at most 2048"),
    (dict(policy_arns=["ReadOnlyAccess"]), "policy_arns", "not a managed policy ARN"),
    (dict(policy_arns=["arn:aws:iam::aws:policy/P%d" % i for i in range(11)]), "policy_arns", "at most 10"),
    (dict(profile="p", secret_key="s", access_key="a"), "profile", "cannot be combined"),
    (dict(access_key="a"), "secret_key", "together"),
])
def test_bad_options_fail_before_any_request_naming_the_option(changes, option, words):
    endpoint = TokenEndpoint(token_answer())
    with pytest.raises(OptionError) as info:
        spec_for(endpoint, **changes)
    assert info.value.option == option
    assert words in info.value.msg
    assert endpoint.requests == []
    assert CLIENT_SECRET not in info.value.msg


def test_a_session_policy_is_sent_as_compact_json():
    spec = spec_for(policy={"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                                    "Resource": "*"}]})
    assert spec.policy == '{"Statement":[{"Action":"s3:GetObject","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}'


# -- the exchange ----------------------------------------------------------------------------------

def test_the_exchange_sends_the_token_and_returns_every_form():
    endpoint = TokenEndpoint(token_answer())
    spec = spec_for(endpoint, duration_seconds=900, role_session_name="job-1", policy_arns=["arn:aws:iam::aws:policy/RO"])
    sts, stubber = sts_client()
    token = endpoint.answers[0][2]
    sts_success(stubber, dict(RoleArn=ROLE_ARN, RoleSessionName="job-1", DurationSeconds=900,
                              PolicyArns=[{"arn": "arn:aws:iam::aws:policy/RO"}],
                              WebIdentityToken=__import__("json").loads(token)["access_token"]), session="job-1")
    run = exchange(spec)
    credentials = run.run(sts)
    stubber.assert_no_pending_responses()
    assert run.region == "us-east-1"
    assert credentials.as_dict() == {
        "access_key": "ASIAEXAMPLEEXAMPLE01", "secret_key": SECRET_KEY, "session_token": SESSION_TOKEN,
        "expiration": "2027-01-15T09:00:00Z",
        "assumed_role_arn": "arn:aws:sts::%s:assumed-role/oci-reporting/job-1" % ACCOUNT,
        "environment": {"AWS_ACCESS_KEY_ID": "ASIAEXAMPLEEXAMPLE01", "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
                        "AWS_SESSION_TOKEN": SESSION_TOKEN},
    }
    assert credentials.expires_at == NOW + 3600
    assert len(endpoint.requests) == 1


def test_a_bad_token_stops_before_sts():
    sts, stubber = sts_client()
    with pytest.raises(Breakpoint) as info:
        exchange(spec_for(TokenEndpoint(token_answer(iss="https://identity.oraclecloud.com/")))).run(sts)
    assert info.value.step == "3"
    stubber.assert_no_pending_responses()


def test_throttling_and_an_unreachable_provider_are_retried():
    sts, stubber = sts_client()
    sts_error(stubber, "Throttling", "Rate exceeded")
    sts_error(stubber, "IDPCommunicationError", "The request could not be fulfilled because the identity provider")
    sts_success(stubber)
    assert exchange(spec_for()).run(sts).access_key == "ASIAEXAMPLEEXAMPLE01"
    stubber.assert_no_pending_responses()


def test_a_provider_that_stays_unreachable_names_step_4():
    sts, stubber = sts_client(retries=3)
    for _attempt in range(3):
        sts_error(stubber, "IDPCommunicationError", "could not be reached")
    with pytest.raises(Breakpoint) as info:
        exchange(spec_for()).run(sts)
    assert info.value.step == "4" and "3 attempts" in info.value.msg
    assert "/.well-known/openid-configuration" in info.value.msg


def test_sts_throttling_that_lasts_is_reported_with_the_attempts():
    sts, stubber = sts_client(retries=2)
    sts_error(stubber, "Throttling", "Rate exceeded")
    sts_error(stubber, "Throttling", "Rate exceeded")
    with pytest.raises(RetriesExhausted) as info:
        exchange(spec_for()).run(sts)
    assert "sts:AssumeRoleWithWebIdentity" in info.value.msg and "2 attempts" in info.value.msg


def test_a_token_that_expires_during_retries_is_fetched_again():
    clock = Clock()
    endpoint = TokenEndpoint(token_answer(now=NOW - 3000), token_answer(now=NOW + 600))
    sts, stubber = sts_client()
    sts_error(stubber, "Throttling", "Rate exceeded")
    sts_success(stubber)
    spec = spec_for(endpoint)
    original = stubber.client.assume_role_with_web_identity

    def slow(**params):
        clock.now = NOW + 580  # the first token (exp NOW + 600) is within a minute of its end on the retry
        return original(**params)

    stubber.client.assume_role_with_web_identity = slow
    exchange(spec, clock=clock).run(sts)
    assert len(endpoint.requests) == 2


def test_a_token_sts_calls_expired_is_fetched_again_once():
    endpoint = TokenEndpoint(token_answer())
    sts, stubber = sts_client()
    sts_error(stubber, "ExpiredTokenException", "Token expired: current date/time 2 must be before 1")
    sts_success(stubber)
    exchange(spec_for(endpoint)).run(sts)
    assert len(endpoint.requests) == 2

    sts, stubber = sts_client()
    sts_error(stubber, "ExpiredTokenException", "Token expired")
    sts_error(stubber, "ExpiredTokenException", "Token expired")
    with pytest.raises(Breakpoint) as info:
        exchange(spec_for()).run(sts)
    assert info.value.step == "6" and "clock" in info.value.msg


def test_a_given_token_is_never_fetched_again():
    sts, stubber = sts_client()
    sts_error(stubber, "ExpiredTokenException", "Token expired")
    spec = spec_for(client_id=None, client_secret=None, token=make_token())
    assert isinstance(spec.token_source, GivenToken)
    with pytest.raises(Breakpoint) as info:
        exchange(spec).run(sts)
    assert "expired" in info.value.msg


@pytest.mark.parametrize("code, message, step, words", [
    ("InvalidIdentityToken", "No OpenIDConnect provider found in your account for %s" % DOMAIN_URL, "5",
     ["no IAM OIDC provider for the token's issuer", "aws_oidc_role with issuer_url: %s" % DOMAIN_URL]),
    ("InvalidIdentityToken", "Incorrect token audience", "5", ["not a client ID of the IAM OIDC provider",
                                                               "audience: sts.amazon.com"]),
    ("InvalidIdentityToken", "OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint", "5",
     ["thumbprints_from_issuer"]),
    ("InvalidIdentityToken", "Missing a required claim: sub", "6", ["could not validate"]),
    ("ExpiredTokenException", "Token expired", "6", ["expired"]),
])
def test_each_refusal_of_sts_names_its_step(code, message, step, words):
    sts, stubber = sts_client()
    sts_error(stubber, code, message)
    sts_error(stubber, code, message)
    with pytest.raises(Breakpoint) as info:
        exchange(spec_for(client_id=None, client_secret=None, token=make_token())).run(sts)
    error = info.value
    assert error.step == step and error.details["error_code"] == code and error.details["request_id"] == "req-" + code
    assert "STS said %s: %s" % (code, message) in error.msg
    for word in words:
        assert word in error.msg


def test_keys_not_retrieved_are_retried_then_name_step_4():
    sts, stubber = sts_client(retries=3)
    for _attempt in range(3):
        sts_error(stubber, "InvalidIdentityToken",
                  "Couldn't retrieve verification key from your identity provider,  please reference")
    with pytest.raises(Breakpoint) as info:
        exchange(spec_for()).run(sts)
    error = info.value
    assert error.step == "4" and error.details["error_code"] == "InvalidIdentityToken"
    assert "3 attempts" in error.msg and "signing_cert_public_access: true" in error.msg
    stubber.assert_no_pending_responses()


def test_keys_not_retrieved_once_is_a_passing_failure():
    sts, stubber = sts_client()
    sts_error(stubber, "InvalidIdentityToken", "Couldn't retrieve verification key from your identity provider,  "
                                               "please reference AssumeRoleWithWebIdentity documentation")
    sts_success(stubber)
    assert exchange(spec_for()).run(sts).access_key == "ASIAEXAMPLEEXAMPLE01"
    stubber.assert_no_pending_responses()


def test_access_denied_shows_the_trust_policy_beside_the_token():
    sts, stubber = sts_client()
    sts_error(stubber, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", 403)
    read = []

    def read_role(name):
        read.append(name)
        return {"RoleName": name, "AssumeRolePolicyDocument": TRUST, "MaxSessionDuration": 3600}

    with pytest.raises(Breakpoint) as info:
        exchange(spec_for(), read_role=read_role).run(sts)
    msg = info.value.msg
    assert read == ["oci-reporting"] and info.value.step == "5"
    assert "aud 'sts.amazon.com' and sub '%s'" % CLIENT_ID in msg
    assert "StringEquals %s:sub requires another-client but the token's sub is '%s'" % (PROVIDER_ID, CLIENT_ID) in msg
    assert "subjects: [%s]" % CLIENT_ID in msg and '"Federated": "%s"' % PROVIDER_ARN in msg


def test_access_denied_without_iam_access_says_what_to_check():
    sts, stubber = sts_client()
    sts_error(stubber, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", 403)

    def read_role(name):
        raise ServiceError("AWS iam:GetRole failed: AccessDenied: no", error_code="AccessDenied")

    with pytest.raises(Breakpoint) as info:
        exchange(spec_for(), read_role=read_role).run(sts)
    assert "could not be read (reading it with iam:GetRole failed" in info.value.msg
    assert "StringEquals %s:aud = sts.amazon.com and %s:sub = %s" % (PROVIDER_ID, PROVIDER_ID, CLIENT_ID) in info.value.msg


def test_access_denied_for_a_missing_role_says_so():
    sts, stubber = sts_client()
    sts_error(stubber, "AccessDenied", "Not authorized", 403)

    def read_role(name):
        raise ServiceError("no such role", error_code="NoSuchEntity")

    with pytest.raises(Breakpoint) as info:
        exchange(spec_for(), read_role=read_role).run(sts)
    assert "does not exist" in info.value.msg


def test_a_duration_above_the_role_maximum_names_the_maximum():
    sts, stubber = sts_client()
    sts_error(stubber, "ValidationError",
              "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
    with pytest.raises(Breakpoint) as info:
        exchange(spec_for(duration_seconds=7200), read_role=lambda name: {"MaxSessionDuration": 3600}).run(sts)
    assert "duration_seconds 7200 is above the maximum session duration of %s, 3600 seconds" % ROLE_ARN in info.value.msg
    assert "max_session_duration" in info.value.msg
    sts, stubber = sts_client()
    sts_error(stubber, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
    with pytest.raises(Breakpoint) as info:
        exchange(spec_for(duration_seconds=7200)).run(sts)
    assert "the role is not read here" in info.value.msg


def test_other_refusals_keep_the_code_and_request_id():
    sts, stubber = sts_client()
    sts_error(stubber, "PackedPolicyTooLarge", "Packed policy consumes 120% of allotted space")
    with pytest.raises(ServiceError) as info:
        exchange(spec_for()).run(sts)
    assert info.value.details["error_code"] == "PackedPolicyTooLarge" and "req-PackedPolicyTooLarge" in info.value.msg


def test_the_default_role_reader_uses_the_connection_with_a_short_budget(monkeypatch):
    calls = []

    class Iam:
        retrier = None

        def call(self, operation, **params):
            calls.append((operation, params, self.retrier.max_attempts))
            return {"Role": {"MaxSessionDuration": 7200}}

    spec = spec_for()
    monkeypatch.setattr(spec.connection, "client", lambda service, unsigned=False: Iam())
    assert Exchange(spec)._role() == ({"MaxSessionDuration": 7200}, None)
    assert calls == [("get_role", {"RoleName": "oci-reporting"}, 2)]


def test_no_message_ever_holds_a_secret():
    token = make_token()
    messages = []
    for code, message in (("AccessDenied", "Not authorized"), ("InvalidIdentityToken", "Incorrect token audience"),
                          ("ValidationError", "MaxSessionDuration"), ("InvalidIdentityToken", "other")):
        sts, stubber = sts_client()
        sts_error(stubber, code, message)
        with pytest.raises(OciAwsError) as info:
            exchange(spec_for(TokenEndpoint(token_answer(token=token))), read_role=lambda n: {"AssumeRolePolicyDocument": TRUST}).run(sts)
        messages.append(info.value.msg + repr(info.value.details))
    for text in messages:
        assert CLIENT_SECRET not in text and token not in text and token.split(".")[1] not in text


# -- helpers ---------------------------------------------------------------------------------------

def test_trust_findings_cover_the_usual_mistakes():
    claims = {"aud": "sts.amazon.com", "sub": CLIENT_ID}
    assert trust_findings({"Statement": []}, PROVIDER_ARN, PROVIDER_ID, claims) == [
        "No statement allows sts:AssumeRoleWithWebIdentity."]
    other = dict(TRUST, Statement=[dict(TRUST["Statement"][0], Principal={"Federated": PROVIDER_ARN + "/"})])
    assert "No statement federates" in trust_findings(other, PROVIDER_ARN, PROVIDER_ID, claims)[0]
    like = dict(TRUST, Statement=[dict(TRUST["Statement"][0], Condition={"StringLike": {PROVIDER_ID + ":sub": "6a0e*"}})])
    assert trust_findings(like, PROVIDER_ARN, PROVIDER_ID, claims) == ["Compare its conditions with the token's claims."]
    aud = dict(TRUST, Statement=[dict(TRUST["Statement"][0], Condition={"StringEquals": {PROVIDER_ID + ":aud": ["x", "y"]}})])
    assert "requires ['x', 'y'] but the token's aud is 'sts.amazon.com'" in trust_findings(aud, PROVIDER_ARN, PROVIDER_ID, claims)[0]


def test_credentials_from_sts_take_any_timestamp_form():
    answer = {"Credentials": {"AccessKeyId": "A", "SecretAccessKey": "S", "SessionToken": "T",
                              "Expiration": "2030-01-01T00:00:00Z"}, "AssumedRoleUser": {"Arn": "arn"}}
    assert Credentials.from_sts(answer).as_dict()["expiration"] == "2030-01-01T00:00:00Z"
    answer["Credentials"]["Expiration"] = datetime.datetime(2030, 1, 1, 1, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
    assert Credentials.from_sts(answer).as_dict()["expiration"] == "2030-01-01T00:00:00Z"


def test_client_credentials_source_is_built_from_the_options():
    spec = spec_for(scope="custom/scope", cert_bundle=certifi.where())
    assert isinstance(spec.token_source, ClientCredentials)
    assert (spec.token_source.scope, spec.token_source.cert_bundle) == ("custom/scope", certifi.where())
    assert set(CONNECTION_OPTIONS) <= set(OPTIONS)


def test_exchange_from_options_announces_the_deadline_to_the_lock_holders_waiters(monkeypatch):
    """The cache's lock holder tells its waiters when its exchange ends: at the start and when throttling moves it."""
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange import sts

    seen = {}

    class Throttled:
        def __init__(self, spec, read_role):
            seen["spec"], seen["read_role"] = spec, read_role

        def run(self):
            seen["spec"].deadline.throttled(7.0)  # what the retrier credits after a throttled answer
            ends = datetime.datetime.fromtimestamp(NOW + 3600, datetime.timezone.utc)
            return Credentials("ASIA1", SECRET_KEY, SESSION_TOKEN, ends, ROLE_ARN)

    monkeypatch.setattr(sts, "Exchange", Throttled)
    heard, warned = [], []
    values = dict(domain_url=DOMAIN_URL + ":8443", client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                  role_arn=ROLE_ARN, region="us-east-1", timeout=20, throttling_timeout=100)
    value, expires_at = sts.exchange_from_options(values, warned.append, heard.append, read_role=None)
    assert value["access_key"] == "ASIA1" and expires_at == NOW + 3600 and seen["read_role"] is None
    assert len(heard) == 2 and 19 < heard[0] <= 20 and 26 < heard[1] <= 27
    assert len(warned) == 1 and "8443" in warned[0]  # the spec's warnings reach warn
    assert sts.exchange_from_options(values)[0]["access_key"] == "ASIA1"  # no warn, no announce: nothing told
