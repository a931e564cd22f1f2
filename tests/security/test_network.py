"""Threats 14 and 15: time and network failures.

14: an endpoint that hangs or trickles its answer (a byte every few seconds) must not hold a run, the
    lookup's cache lock or the AWS CLI past the ``timeout`` option: connect, read and total time, retries
    included, are bounded by it.
15: a host that does not resolve and a refused connection are configuration errors: they fail at once,
    naming the URL and the option to fix; a wrong CA bundle is named as given; no message repeats itself.

The endpoints are a local fake HTTPS server with its own CA (network_support.FakeEndpoint). The exchange
runs in-process (its real code: urllib for the token, botocore for STS, the oci SDK for admin calls), and
the module and the lookup through ansible-playbook at -v0 and -vvvv.
"""

import json
import time

import pytest

from conftest import assert_no_secret
from network_support import (
    SECRETS,
    FakeEndpoint,
    answer,
    exchange_options,
    hang,
    keys_of,
    lookup_task,
    module_task,
    oci_config,
    refused_url,
    results,
    run_playbook,
    run_runner,
    trickle,
)

from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import DeadlineExceeded, ServiceError, Unreachable
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.sts import Exchange
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.spec import ExchangeSpec
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.options import OptionAdapter
from ansible_collections.multicloud.oci_aws.plugins.module_utils._oci.domain import connect

NOWHERE = "https://oci-aws-test.invalid"


@pytest.fixture
def server(tmp_path):
    endpoint = FakeEndpoint(tmp_path / "pki")
    yield endpoint
    endpoint.stop()


@pytest.fixture
def other_ca():
    """A CA bundle of another CA, which does not sign the fake server's certificate."""
    return keys_of("other-ca").ca_cert_path


@pytest.fixture(autouse=True)
def aws_environment(monkeypatch, tmp_path):
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_CA_BUNDLE", "AWS_ACCESS_KEY_ID",
                 "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "HTTPS_PROXY", "https_proxy", "REQUESTS_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def exchange(options):
    """The exchange as the module, the lookup and the runner make it; ``(error, seconds)``."""
    started = time.monotonic()
    with pytest.raises(Exception) as caught:
        Exchange(ExchangeSpec.from_options(OptionAdapter.from_dict(options)), read_role=None).run()
    return caught.value, time.monotonic() - started


def token_requests(server, path="/oauth2/v1/token"):
    return sum(1 for _method, seen in server.requests if seen == path)


# -- threat 14: deadlines ------------------------------------------------------------------------------

@pytest.mark.parametrize("interval", [5, 0.3], ids=["a byte every 5 s", "a byte every 0.3 s"])
def test_a_trickling_token_endpoint_is_cut_at_the_deadline(server, interval):
    """Threat 14: the token endpoint trickles its answer a byte at a time (slower, then faster than any socket
    timeout would notice); the exchange ends at timeout=3 with DeadlineExceeded naming the option."""
    body = json.dumps({"access_token": "x" * 400})
    token = server.script("/oauth2/v1/token", trickle(200, body, interval))
    error, seconds = exchange(exchange_options(server, token, server.url + "/sts", timeout=3))
    assert isinstance(error, DeadlineExceeded), error
    assert "within 3 seconds (the timeout option)" in error.msg and token in error.msg
    assert seconds < 4.5


def test_a_hung_token_endpoint_is_cut_at_the_deadline(server):
    """Threat 14: the token endpoint accepts the connection and never answers: one bounded wait, not 6 x 15 s."""
    token = server.script("/oauth2/v1/token", hang())
    error, seconds = exchange(exchange_options(server, token, server.url + "/sts", timeout=2))
    assert isinstance(error, DeadlineExceeded) and token in error.msg
    assert seconds < 3.5


@pytest.mark.parametrize("behaviour", [hang(), trickle(200, "<AssumeRoleWithWebIdentityResponse>" * 40, 0.3)],
                         ids=["hung", "trickling"])
def test_a_hung_or_trickling_sts_is_cut_at_the_deadline(server, behaviour):
    """Threat 14: STS hangs or trickles (botocore's read timeout bounds each read only): the exchange ends at
    the deadline, with the STS URL tried in the message."""
    token = server.good_token()
    sts = server.script("/sts", behaviour)
    error, seconds = exchange(exchange_options(server, token, sts, timeout=3))
    assert isinstance(error, DeadlineExceeded), error
    assert "sts:AssumeRoleWithWebIdentity at %s" % sts in error.msg
    assert seconds < 4.5


def test_retries_never_wait_past_the_deadline(server):
    """Threat 14: a token endpoint answering 503 with Retry-After: 20 is not waited for past timeout=2: the
    retrier gives up at once with the last answer, instead of sleeping 20 s."""
    token = server.script("/oauth2/v1/token", answer(503, "busy", "text/plain", {"Retry-After": "20"}))
    error, seconds = exchange(exchange_options(server, token, server.url + "/sts", timeout=2))
    assert isinstance(error, DeadlineExceeded) and "last answer HTTP 503" in error.msg
    assert seconds < 1.5 and token_requests(server) == 1


def test_a_hung_identity_domain_is_cut_at_the_deadline(server, tmp_path):
    """Threat 14: the identity domain's admin API hangs: the OCI modules' calls end at their timeout."""
    server.script("/admin/v1/Settings/Settings", hang())
    client = connect(server.url, config_file_location=oci_config(tmp_path, server), cert_bundle=server.ca_bundle,
                     timeout=2)
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded) as caught:
        client.get_settings(["issuer"])
    assert time.monotonic() - started < 3.5 and "GET /admin/v1/Settings/Settings" in caught.value.msg


def test_the_module_the_lookup_and_the_runner_keep_their_deadline(server, tmp_path):
    """Threat 14: through ansible-playbook (module and lookup, -v0 and -vvvv) and the credential_process runner,
    a trickling token endpoint ends each of them at timeout=3: the lookup's exchange (and so the cache lock it
    holds meanwhile) lasts no longer; no traceback, no secret."""
    token = server.script("/oauth2/v1/token", trickle(200, json.dumps({"access_token": "x" * 400}), 0.5))
    options = exchange_options(server, token, server.url + "/sts", timeout=3)
    tasks = (module_task("module", "multicloud.oci_aws.oci_aws_assume", options, "m")
             + lookup_task("lookup", dict(options, cache=True), "l"))
    for verbosity in (0, 4):
        started = time.monotonic()
        output = run_playbook(tmp_path, tasks, verbosity)
        seconds = time.monotonic() - started
        found = results(output)
        assert len(found) == 2, output[-2000:]
        for result in found:
            assert result.startswith("True | ") and "within 3 seconds (the timeout option)" in result, result
        assert seconds < 25, seconds  # two exchanges of at most 3 s, and ansible-playbook's own start
        assert "Traceback" not in output
        assert_no_secret(output, SECRETS)
    started = time.monotonic()
    code, stdout, stderr = run_runner(tmp_path, options)
    assert code == 1 and stdout == "" and "within 3 seconds" in stderr and "Traceback" not in stderr
    assert time.monotonic() - started < 10


# -- threat 15: configuration errors and messages ------------------------------------------------------

@pytest.mark.parametrize("option", ["token_url", "domain_url"])
def test_a_refused_token_endpoint_fails_at_once_naming_the_option(server, option):
    """Threat 15: nothing listens at the token endpoint: one attempt, an Unreachable naming the URL, the host
    and the option it came from (not "may be down or throttling" after 6 attempts)."""
    url = refused_url()
    token_url = url + "/oauth2/v1/token"
    options = exchange_options(server, token_url, server.url + "/sts")
    if option == "domain_url":
        options.pop("token_url")
        options.update(domain_url=url, issuer=None)
        options = dict((k, v) for k, v in options.items() if v is not None)
    error, seconds = exchange(options)
    assert isinstance(error, Unreachable), error
    assert error.option == option and token_url in error.msg and "refused the connection" in error.msg
    assert "throttling" not in error.msg and seconds < 1.5


def test_a_token_host_that_does_not_resolve_fails_at_once(server):
    """Threat 15: a token_url whose host does not resolve: no retries, the host and token_url named."""
    error, seconds = exchange(exchange_options(server, NOWHERE + "/oauth2/v1/token", server.url + "/sts"))
    assert isinstance(error, Unreachable) and error.option == "token_url"
    assert "oci-aws-test.invalid does not resolve" in error.msg and "throttling" not in error.msg
    assert seconds < 10


@pytest.mark.parametrize("where", ["refused", "unresolved"])
def test_an_unreachable_sts_fails_at_once_naming_the_url_and_endpoint_url(server, where):
    """Threat 15: STS (endpoint_url) refuses or does not resolve: one attempt, the URL tried and endpoint_url named."""
    token = server.good_token()
    sts = refused_url() if where == "refused" else NOWHERE
    error, seconds = exchange(exchange_options(server, token, sts))
    assert isinstance(error, Unreachable), error
    assert error.option == "endpoint_url" and sts in error.msg and "sts:AssumeRoleWithWebIdentity" in error.msg
    assert "throttling" not in error.msg and seconds < 10


def test_a_refused_identity_domain_fails_at_once_naming_domain_url(tmp_path, server):
    """Threat 15: the OCI modules' domain_url refuses: an Unreachable naming domain_url, not retried."""
    url = refused_url()
    client = connect(url, config_file_location=oci_config(tmp_path, server), timeout=30)
    started = time.monotonic()
    with pytest.raises(Unreachable) as caught:
        client.get_settings(["issuer"])
    assert caught.value.option == "domain_url" and "refused the connection" in caught.value.msg
    assert time.monotonic() - started < 1.5


def test_a_wrong_cert_bundle_is_named_as_given(server, other_ca):
    """Threat 15: cert_bundle is set, to a CA that does not sign the token endpoint: the message says the
    certificate did not verify with the bundle given (not "set cert_bundle"), and is not retried."""
    token = server.good_token()
    error, _seconds = exchange(exchange_options(server, token, server.url + "/sts", cert_bundle=other_ca))
    assert isinstance(error, ServiceError), error
    assert "did not verify with the CA bundle given in cert_bundle (%s)" % other_ca in error.msg
    assert "set cert_bundle" not in error.msg and token_requests(server) == 0


def test_a_wrong_aws_ca_bundle_is_named_as_given(server, other_ca):
    """Threat 15: the same for aws_ca_bundle and STS."""
    token = server.good_token()
    sts = server.url + "/sts"
    error, _seconds = exchange(exchange_options(server, token, sts, aws_ca_bundle=other_ca))
    assert isinstance(error, ServiceError), error
    assert "did not verify with the CA bundle given in aws_ca_bundle (%s)" % other_ca in error.msg


def test_a_wrong_oci_cert_bundle_is_named_as_given(server, other_ca, tmp_path):
    """Threat 15: the same for the OCI modules' cert_bundle."""
    client = connect(server.url, config_file_location=oci_config(tmp_path, server), cert_bundle=other_ca, timeout=10)
    with pytest.raises(Exception) as caught:
        client.get_settings(["issuer"])
    assert "did not verify with the CA bundle given in cert_bundle (%s" % other_ca in caught.value.msg
    assert "set cert_bundle" not in caught.value.msg


def test_a_plain_http_400_is_said_once(server):
    """Threat 15: a token endpoint answering 400 without an OAuth error: "HTTP 400" once, nothing of the body."""
    token = server.script("/oauth2/v1/token", answer(400, "<html>Bad Request %s</html>" % SECRETS["secret access key"],
                                                     "text/html"))
    error, _seconds = exchange(exchange_options(server, token, server.url + "/sts"))
    assert isinstance(error, ServiceError)
    assert error.msg.count("HTTP 400") == 1, error.msg
    assert_no_secret(error.msg, SECRETS)


def test_sts_that_keeps_failing_names_the_url_tried(server):
    """Threat 15: STS answering 503 until the deadline: the message names the STS URL, not only sts:<action>."""
    token = server.good_token()
    sts = server.script("/sts", answer(503, "<ErrorResponse><Error><Code>ServiceUnavailable</Code></Error>"
                                            "</ErrorResponse>"))
    error, _seconds = exchange(exchange_options(server, token, sts, timeout=3))
    assert isinstance(error, ServiceError)
    assert "sts:AssumeRoleWithWebIdentity at %s" % sts in error.msg
