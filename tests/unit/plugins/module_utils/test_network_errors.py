"""The classifiers of broken answers and network failures (issue 11, items 1, 14, 15): what is retried,
what is a configuration error, what is a malformed answer, and that no message carries an answer's bytes."""

import datetime
import socket
import ssl
import threading
import urllib.error

import botocore.exceptions
import botocore.parsers
import oci
import pytest
from hypothesis import given, strategies as st

from ansible_collections.multicloud.oci_aws.plugins.module_utils._oci import domain
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.connection import transient_failure, translate
from ansible_collections.multicloud.oci_aws.plugins.module_utils._retry import Deadline, Retrier, Transient, check_timeout
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import (
    DeadlineExceeded, MalformedAnswer, OptionError, RetriesExhausted, Unexpected, Unreachable, configuration_failure, fail_from, module_boundary,
    typed
)
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.credentials import Credentials
from ansible_collections.multicloud.oci_aws.plugins.module_utils._http import AnswerTimeout, AnswerTooLarge, read_bounded
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.token import _classify
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.clock_fakes import FakeTime

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzSECRETzKEYz"


# -- configuration failures --------------------------------------------------------------------------

def _chained(outer, inner):
    try:
        try:
            raise inner
        except BaseException as exc:
            raise outer from exc
    except BaseException as exc:  # noqa: B902
        return exc


@pytest.mark.parametrize("exc, why", [
    (socket.gaierror(-2, "Name or service not known"), "does not resolve"),
    (ConnectionRefusedError(111, "Connection refused"), "refused the connection"),
    (urllib.error.URLError(socket.gaierror(-3, "Temporary failure in name resolution")), "does not resolve"),
    (urllib.error.URLError(ConnectionRefusedError(111, "refused")), "refused the connection"),
    (_chained(OSError("Failed to establish a new connection"), ConnectionRefusedError(111, "refused")),
     "refused the connection"),
    (urllib.error.URLError(ConnectionResetError(104, "reset")), None),
    (socket.timeout("timed out"), None),
    (ValueError("x"), None),
])
def test_configuration_failure(exc, why):
    assert configuration_failure(exc) == why


def test_the_token_classifier_retries_resets_but_not_configuration_errors():
    assert _classify(urllib.error.URLError(ConnectionResetError(104, "reset"))) is not None
    assert _classify(urllib.error.URLError(ConnectionRefusedError(111, "refused"))) is None
    assert _classify(urllib.error.URLError(socket.gaierror(-2, "unknown"))) is None
    assert _classify(urllib.error.URLError(ssl.SSLCertVerificationError("certificate verify failed"))) is None
    assert _classify(AnswerTooLarge(2 ** 21)) is None
    assert _classify(AnswerTimeout("slow")) is not None


def _endpoint_error(cause):
    return _chained(botocore.exceptions.EndpointConnectionError(endpoint_url="https://sts.example.com/"), cause)


def test_the_aws_classifier_does_not_retry_refused_or_unresolved_endpoints():
    refused = _endpoint_error(_chained(OSError("new connection"), ConnectionRefusedError(111, "refused")))
    unresolved = _endpoint_error(_chained(OSError("name"), socket.gaierror(-2, "unknown")))
    reset = _endpoint_error(ConnectionResetError(104, "reset"))
    assert transient_failure(refused) is None and transient_failure(unresolved) is None
    assert transient_failure(reset) is not None
    error = translate(refused, "sts:AssumeRoleWithWebIdentity", url="https://sts.example.com", url_option="endpoint_url")
    assert isinstance(error, Unreachable) and error.option == "endpoint_url"
    assert "https://sts.example.com/" in error.msg and "refused the connection" in error.msg


def test_a_botocore_parser_error_becomes_a_malformed_answer_without_the_body():
    exc = botocore.parsers.ResponseParserError(
        "Unable to parse response (no element found), invalid XML received:\n<SecretAccessKey>%s" % SECRET)
    error = translate(exc, "sts:AssumeRoleWithWebIdentity", url="https://sts.example.com", status=200)
    assert isinstance(error, MalformedAnswer)
    assert "HTTP 200" in error.msg and "not XML" in error.msg and "https://sts.example.com" in error.msg
    assert SECRET not in error.msg and SECRET not in str(error.details)


@pytest.mark.parametrize("bundle, words", [
    ("/etc/ca.pem", ["did not verify with the CA bundle given in aws_ca_bundle (/etc/ca.pem)"]),
    (None, ["set aws_ca_bundle"]),
])
def test_a_tls_failure_names_the_bundle_given(monkeypatch, bundle, words):
    monkeypatch.delenv("AWS_CA_BUNDLE", raising=False)
    error = translate(botocore.exceptions.SSLError(endpoint_url="https://x", error="bad"), "iam:GetRole",
                      ca_bundle=bundle)
    for word in words:
        assert word in error.msg


# -- OCI ------------------------------------------------------------------------------------------------

def test_an_oci_error_whose_body_is_not_json_is_not_repeated():
    # What the SDK raises for a 502 HTML page of a proxy: the whole body in message, no service code.
    exc = oci.exceptions.ServiceError(502, None, {"opc-request-id": "r-1"}, "<html>%s</html>" % SECRET)
    error = domain.service_error(exc, "GET /admin/v1/Apps")
    assert "HTTP 502" in error.msg and "not a JSON error" in error.msg and SECRET not in error.msg
    assert SECRET not in str(error.details)
    assert SECRET not in domain.classify(exc).description


def test_an_oci_json_error_is_still_quoted_but_cut():
    exc = oci.exceptions.ServiceError(400, "InvalidParameter", {}, "x" * 5000)
    error = domain.service_error(exc, "GET /x")
    assert "InvalidParameter" in error.msg and len(error.msg) < 1000


class _Response:
    def __init__(self, data, status=200):
        self.data = data
        self.status = status


class _Sdk:
    def __init__(self, data):
        self._data = data

    def get_setting(self, *_args, **_kwargs):
        if isinstance(self._data, BaseException):
            raise self._data
        return _Response(self._data)


@pytest.mark.parametrize("data, words", [
    ("<html>%s</html>" % SECRET, ["HTTP 200", "not a JSON object"]),
    (None, ["HTTP 200", "an empty answer"]),
    (ValueError("Expecting value: %s" % SECRET), ["could not read (ValueError)"]),
])
def test_an_oci_answer_that_is_not_an_object_is_malformed(data, words):
    client = domain.DomainClient(_Sdk(data), "https://idcs-x.identity.oraclecloud.com", Retrier(max_attempts=1))
    with pytest.raises(MalformedAnswer) as caught:
        client.get_settings(["issuer"])
    for word in words:
        assert word in caught.value.msg
    assert SECRET not in caught.value.msg


# -- STS answers ---------------------------------------------------------------------------------------

def _answer(**changes):
    credentials = {"AccessKeyId": "ASIAFAKE", "SecretAccessKey": SECRET, "SessionToken": "t" * 20,
                   "Expiration": datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)}
    credentials.update(changes)
    credentials = dict((k, v) for k, v in credentials.items() if v is not None)
    return {"Credentials": credentials, "AssumedRoleUser": {"Arn": "arn:aws:sts::1:assumed-role/r/s"}}


@pytest.mark.parametrize("answer, what", [
    ({}, "no Credentials element"),
    ({"Credentials": "x"}, "no Credentials element"),
    (_answer(AccessKeyId=None), "no AccessKeyId"),
    (_answer(SessionToken=None), "no SessionToken"),
    (_answer(Expiration="soon"), "not an ISO 8601 time"),
    (_answer(Expiration=None), "no Expiration"),
    (dict(_answer(), AssumedRoleUser={}), "no AssumedRoleUser Arn"),
])
def test_an_sts_answer_without_what_the_api_documents_is_malformed(answer, what):
    with pytest.raises(MalformedAnswer) as caught:
        Credentials.from_sts(answer, "AWS sts:AssumeRoleWithWebIdentity at https://sts", 200)
    assert what in caught.value.msg and "HTTP 200" in caught.value.msg and SECRET not in caught.value.msg


def test_a_complete_sts_answer_is_read():
    assert Credentials.from_sts(_answer()).secret_key == SECRET


# -- deadlines -----------------------------------------------------------------------------------------

def test_the_deadline_bounds_each_attempt_timeout():
    clock = FakeTime()
    deadline = Deadline(10, monotonic=clock.monotonic)
    assert deadline.timeout(15) == 10
    clock.now = 8
    assert deadline.timeout(15) == 2 and deadline.timeout(1) == 1
    clock.now = 10
    with pytest.raises(DeadlineExceeded) as caught:
        deadline.timeout(15, "the token endpoint")
    assert "within 10 seconds (the timeout option)" in caught.value.msg


def test_a_retry_wait_that_would_pass_the_deadline_is_not_waited():
    clock = FakeTime()
    retrier = Retrier(sleep=clock.sleep, monotonic=clock.monotonic, uniform=lambda low, high: high,
                      deadline=Deadline(5, monotonic=clock.monotonic))

    def busy():
        clock.now += 1
        raise OSError("busy")

    with pytest.raises(DeadlineExceeded) as caught:
        retrier.call(busy, lambda exc: Transient("HTTP 503", retry_after=30), "the token endpoint")
    assert clock.sleeps == [] and "last answer HTTP 503 after 1 attempt" in caught.value.msg
    assert isinstance(caught.value, RetriesExhausted)


def test_an_attempt_that_outlives_the_deadline_is_cut():
    release = threading.Event()
    retrier = Retrier(deadline=Deadline(0.3))
    with pytest.raises(DeadlineExceeded):
        retrier.call(lambda: release.wait(10), lambda exc: None, "a hung call")
    release.set()


def test_an_attempt_within_the_deadline_returns_or_raises_as_it_would():
    retrier = Retrier(deadline=Deadline(5))
    assert retrier.call(lambda: 42, lambda exc: None, "x") == 42
    with pytest.raises(KeyError):
        retrier.call(lambda: {}["k"], lambda exc: None, "x")


@pytest.mark.parametrize("value", [0, -1, "soon", True, None, 10 ** 9])
def test_a_bad_timeout_is_refused_naming_the_option(value):
    with pytest.raises(OptionError) as caught:
        check_timeout(value)
    assert caught.value.option == "timeout"


@given(st.floats(min_value=0.001, max_value=86400))
def test_any_positive_timeout_is_taken(value):
    assert check_timeout(value) == value


class _Trickle:
    """A response that gives one byte per read1 and advances the clock by ``step`` each time."""

    def __init__(self, clock, size, step):
        self.clock, self.left, self.step = clock, size, step
        self.status = 200

    def read1(self, _amount):
        self.clock.now += self.step
        if not self.left:
            return b""
        self.left -= 1
        return b"x"


def test_a_trickling_body_is_cut_at_the_end_of_the_attempt():
    clock = FakeTime()
    with pytest.raises(AnswerTimeout):
        read_bounded(_Trickle(clock, 1000, 0.5), ends=3, monotonic=clock.monotonic)
    assert clock.now <= 3.5


def test_a_body_longer_than_the_limit_is_not_read_further():
    clock = FakeTime()
    with pytest.raises(AnswerTooLarge) as caught:
        read_bounded(_Trickle(clock, 1000, 0), ends=10, monotonic=clock.monotonic, limit=10)
    assert caught.value.status == 200


def test_a_whole_body_is_read():
    clock = FakeTime()
    assert read_bounded(_Trickle(clock, 5, 0.1), ends=10, monotonic=clock.monotonic) == b"xxxxx"


# -- the boundary ---------------------------------------------------------------------------------------

class _Module:
    def __init__(self):
        self.failed = None

    def fail_json(self, **result):
        self.failed = result
        raise SystemExit(1)


def test_the_module_boundary_names_an_unexpected_exception_by_its_type_only():
    module = _Module()
    with pytest.raises(SystemExit):
        with module_boundary(module, "oci_aws_assume"):
            raise KeyError("<SecretAccessKey>%s" % SECRET)
    assert "unexpected KeyError during oci_aws_assume" in module.failed["msg"]
    assert SECRET not in str(module.failed)


def test_the_module_boundary_reports_our_errors_as_they_are_and_lets_exit_pass():
    module = _Module()
    with pytest.raises(SystemExit):
        with module_boundary(module, "x"):
            raise OptionError("role_arn", "role_arn must be an ARN")
    assert module.failed == {"msg": "role_arn must be an ARN", "option": "role_arn"}
    with pytest.raises(SystemExit) as caught:
        with module_boundary(_Module(), "x"):
            raise SystemExit(0)
    assert caught.value.code == 0


def test_typed_keeps_ours_and_wraps_the_rest():
    ours = OptionError("x", "m")
    assert typed(ours, "w") is ours
    assert isinstance(typed(ValueError(SECRET), "w"), Unexpected) and SECRET not in typed(ValueError(SECRET), "w").msg
    module = _Module()
    with pytest.raises(SystemExit):
        fail_from(module, ValueError(SECRET), "the step")
    assert SECRET not in module.failed["msg"] and "the step" in module.failed["msg"]


def _client_error(status, code, message):
    return botocore.exceptions.ClientError({"Error": {"Code": code, "Message": message},
                                            "ResponseMetadata": {"HTTPStatusCode": status}}, "GetRole")


def test_an_aws_answer_without_an_aws_error_says_its_status_once():
    # botocore's generic parse of an HTML error page: Code is the status, Message its reason phrase.
    error = translate(_client_error(400, "400", "Bad Request"), "iam:GetRole", url="https://iam.example.com")
    assert error.msg.count("400") == 1 and "https://iam.example.com" in error.msg
    assert transient_failure(_client_error(503, "503", "Service Unavailable")).description == "HTTP 503"
    assert transient_failure(_client_error(400, "Throttling", "slow")).description == "Throttling (HTTP 400)"


def test_the_runner_reports_an_unexpected_exception_in_one_line_without_its_text(tmp_path, monkeypatch):
    """The credential_process runner's boundary: the AWS CLI shows its stderr as it is."""
    import io
    import json
    import os

    from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange import credential_process as _credential_process, sts as _exchange

    settings = tmp_path / "settings.json"
    fd = os.open(str(settings), os.O_WRONLY | os.O_CREAT, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"version": 1, "options": {"domain_url": "https://idcs-x.identity.oraclecloud.com", "client_id": "c",
                                             "client_secret": "s3cr3t-value", "region": "us-east-1",
                                             "role_arn": "arn:aws:iam::123456789012:role/r"}}, handle)

    def crash(self, sts=None):
        raise KeyError("<SecretAccessKey>%s" % SECRET)

    monkeypatch.setattr(_exchange.Exchange, "run", crash)
    stdout, stderr = io.StringIO(), io.StringIO()
    assert _credential_process.main(["--settings", str(settings)], stdout, stderr) == 1
    assert stdout.getvalue() == "" and stderr.getvalue().count("\n") == 1
    assert "unexpected KeyError during the credential_process exchange" in stderr.getvalue()
    assert SECRET not in stderr.getvalue()


_SECRETISH = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+", min_size=24, max_size=60)
_TEMPLATES = (
    "<html><body>%s</body></html>",
    '{"token": "%s"}',
    '{"access_token": "%s"}',
    '{"access_token": ["%s"]}',
    "%s",
    '["%s"]',
    '{"error_description": "%s"}',
    "<ErrorResponse>%s",
)


@given(secret=_SECRETISH, template=st.sampled_from(_TEMPLATES), status=st.sampled_from([200, 400, 401, 404, 418]))
def test_no_answer_of_the_token_endpoint_is_repeated_unless_it_is_an_oauth_error(secret, template, status):
    """Whatever the token endpoint answers that is not a token nor an RFC 6749 error, no byte of it is shown."""
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OciAwsError
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.token import ClientCredentials

    body = (template % secret).encode()
    source = ClientCredentials("https://idcs-x.identity.oraclecloud.com/oauth2/v1/token", "client", "s3cr3t", "s",
                               "sts.amazon.com", retrier=Retrier(max_attempts=1),
                               post=lambda *args, **kwargs: (status, {}, body))
    with pytest.raises(OciAwsError) as caught:
        source.current(0)
    assert secret not in caught.value.msg and secret not in str(caught.value.details)
