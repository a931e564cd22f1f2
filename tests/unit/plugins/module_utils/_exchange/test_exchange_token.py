"""Step 6: the token, its sources and the preflight that reads it as STS will."""

import base64
import datetime
import http.server
import json
import socket
import ssl
import threading
import urllib.error

import pytest

from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError, RetriesExhausted, ServiceError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import Breakpoint
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.token import ClientCredentials, FileToken, GivenToken, Token
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.preflight import Expectations
from ansible_collections.multicloud.oci_aws.plugins.module_utils._http import https_post
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.aws_fakes import _make_pki, no_wait_retrier
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.exchange_fakes import (
    CLIENT_ID,
    CLIENT_SECRET,
    DOMAIN_URL,
    NOW,
    TOKEN_URL,
    TokenEndpoint,
    b64url,
    make_token,
    oauth_error,
    token_answer,
)

EXPECT = Expectations(DOMAIN_URL, "sts.amazon.com", "domain_url")


def refusal(token, now=NOW):
    with pytest.raises(Breakpoint) as info:
        EXPECT.check(Token.parse(token, "the token"), now)
    assert token not in info.value.msg
    return info.value


# -- parsing ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, why", [
    ("not a token", "three base64url parts"),
    ("abc.def", "three base64url parts"),
    ("abc", "4 to 20000"),
    ("a" * 20001, "4 to 20000"),
    ("a.b.c.d.e", "encrypted"),
    ("%s.%s.sig" % (b64url(b"[1]"), b64url(b"{}")), "header is not a JSON object"),
    ("%s.%s.sig" % (b64url(b"{}"), b64url(b"not json")), "payload is not base64url-encoded JSON"),
])
def test_a_malformed_token_names_its_option_and_never_shows_itself(raw, why):
    with pytest.raises(OptionError) as info:
        GivenToken(raw)
    assert info.value.option == "token"
    assert why in info.value.msg
    assert raw not in info.value.msg or len(raw) < 4


def test_a_token_with_surrounding_whitespace_is_read():
    token = make_token()
    assert GivenToken("\n%s\n" % token).current(NOW).raw == token


# -- preflight -------------------------------------------------------------------------------------

def test_a_token_as_aws_wants_it_passes():
    EXPECT.check(Token.parse(make_token(), "the token"), NOW)


@pytest.mark.parametrize("iss", ["https://identity.oraclecloud.com/", "https://identity.oraclecloud.com"])
def test_the_default_issuer_means_step_3_was_not_done(iss):
    error = refusal(make_token(iss=iss))
    assert error.step == "3"
    assert "the token's issuer is %s" % iss in error.msg
    assert "AWS expects %s" % DOMAIN_URL in error.msg
    assert "multicloud.oci_aws.oci_token_policy" in error.msg


@pytest.mark.parametrize("iss", [DOMAIN_URL + "/", DOMAIN_URL + ":443", "https://idcs-other.identity.oraclecloud.com"])
def test_another_issuer_is_refused_character_for_character(iss):
    error = refusal(make_token(iss=iss))
    assert error.step == "3" and error.details["claim"] == "iss"
    assert "character for character" in error.msg and "(from domain_url)" in error.msg


def test_an_http_issuer_is_refused():
    assert "not an https URL" in refusal(make_token(iss="http://" + DOMAIN_URL[8:])).msg


def test_an_audience_array_means_secondary_audiences():
    error = refusal(make_token(aud=["sts.amazon.com", "https://other.example.com"]))
    assert error.step == "2.1"
    assert "2 audiences" in error.msg and "secondary audiences" in error.msg and "oci_oidc_app" in error.msg


def test_a_one_item_audience_array_is_one_audience():
    EXPECT.check(Token.parse(make_token(aud=["sts.amazon.com"]), "the token"), NOW)


def test_another_audience_names_both_and_the_app():
    error = refusal(make_token(aud="sts.amazonaws.com"))
    assert error.step == "2.1"
    assert "'sts.amazonaws.com' but AWS expects 'sts.amazon.com'" in error.msg
    assert "oci_oidc_app with audience: sts.amazon.com" in error.msg


def test_an_azp_other_than_the_audience_is_refused():
    assert "azp" in refusal(make_token(azp="another-client")).msg


def test_an_expired_token_says_when():
    error = refusal(make_token(now=NOW - 4000))
    assert error.step == "6"
    expired = datetime.datetime.fromtimestamp(NOW - 400, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert "expired at %s" % expired in error.msg


@pytest.mark.parametrize("claim", ["sub", "aud", "exp", "iat", "iss"])
def test_a_claim_sts_requires_must_be_there(claim):
    assert "has no %r claim" % claim in refusal(make_token(**{claim: None})).msg


def test_a_non_integer_exp_is_refused():
    assert "not an integer" in refusal(make_token(exp="1800003600")).msg


# -- client credentials ----------------------------------------------------------------------------

def source(endpoint, scope="sts.amazon.com/", **kwargs):
    return ClientCredentials(TOKEN_URL, CLIENT_ID, CLIENT_SECRET, scope, "sts.amazon.com",
                             retrier=no_wait_retrier(max_attempts=3), post=endpoint, **kwargs)


def test_the_grant_is_asked_as_rfc_6749_says():
    endpoint = TokenEndpoint(token_answer())
    source(endpoint, cert_bundle="/ca.pem").current(NOW)
    request = endpoint.requests[0]
    assert request["url"] == TOKEN_URL and request["cert_bundle"] == "/ca.pem"
    assert request["body"] == b"grant_type=client_credentials&scope=sts.amazon.com%2F"
    assert request["headers"]["Content-Type"].startswith("application/x-www-form-urlencoded")
    basic = base64.b64decode(request["headers"]["Authorization"].split()[1]).decode()
    assert basic == "%s:%s" % (CLIENT_ID, CLIENT_SECRET)


def test_credentials_are_form_encoded_before_basic_auth():
    endpoint = TokenEndpoint(token_answer())
    ClientCredentials(TOKEN_URL, "id", "a+b/c:d", "s", "sts.amazon.com", post=endpoint).current(NOW)
    assert base64.b64decode(endpoint.requests[0]["headers"]["Authorization"].split()[1]) == b"id:a%2Bb%2Fc%3Ad"


def test_a_token_is_reused_until_it_expires_then_renewed():
    endpoint = TokenEndpoint(token_answer(now=NOW))
    tokens = source(endpoint)
    first = tokens.current(NOW)
    assert tokens.current(NOW + 3000) is first
    assert tokens.current(NOW + 3550) is not first
    tokens.renew()
    tokens.current(NOW)
    assert len(endpoint.requests) == 3


def test_throttling_and_server_errors_are_retried_with_retry_after():
    sleeps = []
    endpoint = TokenEndpoint((429, {"Retry-After": "2"}, b""), (503, {}, b""), token_answer())
    tokens = ClientCredentials(TOKEN_URL, CLIENT_ID, CLIENT_SECRET, "s", "sts.amazon.com", post=endpoint,
                               retrier=no_wait_retrier(max_attempts=5))
    tokens.retrier._sleep = sleeps.append
    assert tokens.current(NOW).claims["sub"] == CLIENT_ID
    assert len(endpoint.requests) == 3 and sleeps[0] == 2


def test_a_connection_that_keeps_failing_ends_with_the_endpoint_and_attempts():
    # A reset connection is transient (a refused one is a configuration error: tests/security/test_network.py).
    endpoint = TokenEndpoint(urllib.error.URLError(ConnectionResetError(104, "reset")))
    with pytest.raises(RetriesExhausted) as info:
        source(endpoint).current(NOW)
    assert TOKEN_URL in info.value.msg and "3 attempts" in info.value.msg
    assert CLIENT_SECRET not in info.value.msg


def test_an_untrusted_certificate_is_not_retried_and_names_cert_bundle():
    endpoint = TokenEndpoint(urllib.error.URLError(ssl.SSLCertVerificationError("certificate verify failed")))
    with pytest.raises(ServiceError) as info:
        source(endpoint).current(NOW)
    assert len(endpoint.requests) == 1 and "cert_bundle" in info.value.msg


@pytest.mark.parametrize("answer, step, words", [
    (oauth_error(401, "invalid_client"), "2", ["refused client_id %s" % CLIENT_ID, "client_secret", "active"]),
    (oauth_error(400, "unauthorized_client"), "2.2", ["client credentials grant", "oci_oidc_app"]),
    (oauth_error(400, "invalid_scope", "The requested scope sts.amazon.com/ is invalid"), "2.1",
     ["resource server", "primary audience sts.amazon.com", "Add resources", "is invalid"]),
])
def test_each_refusal_of_the_domain_names_its_step(answer, step, words):
    with pytest.raises(Breakpoint) as info:
        source(TokenEndpoint(answer)).current(NOW)
    assert info.value.step == step
    for word in words:
        assert word in info.value.msg
    assert CLIENT_SECRET not in info.value.msg


@pytest.mark.parametrize("answer, words", [
    ((404, {}, b"<html>"), ["no token endpoint", "domain_url"]),
    ((302, {"Location": "https://elsewhere.example.com/"}, b""), ["redirects", "elsewhere"]),
    ((200, {}, b"{}"), ["HTTP 200", "no access_token"]),
    ((200, {}, json.dumps({"access_token": "opaque"}).encode()), ["not a usable JSON Web Token"]),
    ((418, {}, b"teapot"), ["HTTP 418"]),
])
def test_other_answers_are_errors(answer, words):
    with pytest.raises(ServiceError) as info:
        source(TokenEndpoint(answer)).current(NOW)
    for word in words:
        assert word in info.value.msg


# -- token file ------------------------------------------------------------------------------------

def test_a_token_file_is_read_again_once_expired_or_renewed(tmp_path):
    path = tmp_path / "token"
    path.write_text(make_token(sub="first") + "\n")
    tokens = FileToken(str(path))
    assert tokens.current(NOW).claims["sub"] == "first"
    path.write_text(make_token(sub="second"))
    assert tokens.current(NOW).claims["sub"] == "first"
    tokens.renew()
    assert tokens.current(NOW).claims["sub"] == "second"
    path.write_text(make_token(sub="third", now=NOW + 3600))
    assert tokens.current(NOW + 3590).claims["sub"] == "third"


def test_an_unreadable_token_file_names_the_option(tmp_path):
    with pytest.raises(OptionError) as info:
        FileToken(str(tmp_path / "missing")).current(NOW)
    assert info.value.option == "token_file"


# -- https_post against a real TLS server ----------------------------------------------------------

@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    directory = tmp_path_factory.mktemp("tls")
    ca, chain, key = (str(directory / n) for n in ("ca.pem", "chain.pem", "key.pem"))
    _make_pki(ca, chain, key)
    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.append((self.path, body))
            status, payload, extra = {"/token": (200, b'{"ok": 1}', {}), "/redirect": (302, b"", {"Location": "/token"})}.get(
                self.path, (400, b'{"error": "invalid_scope"}', {}))
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(chain, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield "https://127.0.0.1:%d" % httpd.server_address[1], ca, seen
    httpd.shutdown()
    httpd.server_close()


def test_https_post_trusts_the_bundle_given_and_returns_every_status(tls_server, monkeypatch):
    url, ca, seen = tls_server
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    assert https_post(url + "/token", b"a=1", {}, cert_bundle=ca)[0::2] == (200, b'{"ok": 1}')
    assert https_post(url + "/other", b"a=1", {}, cert_bundle=ca)[0] == 400
    status, headers, _body = https_post(url + "/redirect", b"a=1", {}, cert_bundle=ca)
    assert (status, headers["Location"]) == (302, "/token")
    assert [path for path, _body in seen] == ["/token", "/other", "/redirect"]
    with pytest.raises(urllib.error.URLError) as info:
        https_post(url + "/token", b"a=1", {})
    assert isinstance(info.value.reason, ssl.SSLCertVerificationError)


def test_https_post_reports_a_refused_connection_as_an_os_error():
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    with pytest.raises(urllib.error.URLError):
        https_post("https://127.0.0.1:%d/token" % port, b"", {}, timeout=2)


def test_a_cert_bundle_without_certificates_is_refused_before_any_request(tmp_path):
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._http import check_ca_bundle

    not_pem = tmp_path / "ca.pem"
    not_pem.write_text("this is not PEM\n")
    with pytest.raises(OptionError) as raised:
        check_ca_bundle(str(not_pem))
    assert raised.value.option == "cert_bundle" and "BEGIN CERTIFICATE" in raised.value.msg
