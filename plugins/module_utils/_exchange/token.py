# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

Step 6 of the procedure: the OCI access token that AWS STS takes as a web identity token, and
the preflight that reads it (without trusting it) before STS does.

- :class:`ClientCredentials` asks the identity domain's token endpoint for a token with the
  client-credentials grant (plain HTTPS from the standard library: TLS always verified, only the
  given CA bundle trusted, no redirects followed, proxies from the environment honoured);
  :class:`GivenToken` and :class:`FileToken` take a token from a string or a file (re-read when
  the one read has expired or STS says so).
- :class:`Expectations` checks the claims STS will check (``iss``, ``aud``, ``exp``, required
  claims) and raises a :class:`Breakpoint` that names the step of the procedure that is wrong and
  the module that fixes it.

Neither the token nor the client secret ever enters a message.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import http.client as http_client
import json
import re
import socket
import time
import urllib.error as urllib_error
import urllib.parse as urllib_parse

from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import (
    MalformedAnswer, OciAwsError, OptionError, ServiceError, configuration_failure, reason_of, unreachable
)
from ansible_collections.multicloud.oci_aws.plugins.module_utils._retry import Retrier, TRANSIENT_STATUS, Transient, parse_retry_after
from ansible_collections.multicloud.oci_aws.plugins.module_utils._http import (
    AnswerTooLarge, MAX_ANSWER_BYTES, TOKEN_TIMEOUT, https_post, tls_failure, tls_refusal
)
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import Breakpoint, FIX_APP
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.client_auth import SecretAuth, key_refusal

# STS API model: WebIdentityToken is 4 to 20000 characters.
MIN_TOKEN_LENGTH, MAX_TOKEN_LENGTH = 4, 20000
# A token with less than this left is renewed before it is sent (when its source can renew it).
RENEW_WITHIN = 60
_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*", re.ASCII)


def utc_iso(epoch):
    """ISO 8601 UTC with a Z, to the second."""
    return datetime.datetime.fromtimestamp(epoch, tz=datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _b64json(part, what):
    padded = part + "=" * (-len(part) % 4)
    try:
        value = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ValueError("its %s is not base64url-encoded JSON" % what)
    if not isinstance(value, dict):
        raise ValueError("its %s is not a JSON object" % what)
    return value


class Token:
    """An access token and its claims, decoded without verifying the signature (STS verifies it).

    ``origin`` says where it came from, for messages (never the token itself).
    """

    def __init__(self, raw, header, claims, origin):
        self.raw = raw
        self.header = header
        self.claims = claims
        self.origin = origin

    @classmethod
    def parse(cls, raw, origin, option=None):
        """Decode ``raw``; a malformed token raises :class:`OptionError` (``option`` given) or :class:`ServiceError`."""

        def refuse(why):
            msg = "%s is not a usable JSON Web Token: %s" % (origin, why)
            if option:
                raise OptionError(option, msg + "; give the access_token of the identity domain's token endpoint")
            raise ServiceError(msg, endpoint=origin)

        if not isinstance(raw, str):
            refuse("not text")
        raw = raw.strip()
        if not MIN_TOKEN_LENGTH <= len(raw) <= MAX_TOKEN_LENGTH:
            refuse("it has %d characters; STS takes %d to %d" % (len(raw), MIN_TOKEN_LENGTH, MAX_TOKEN_LENGTH))
        if raw.count(".") == 4:
            refuse("it is encrypted (JWE, five parts); STS needs a signed token (JWS, three parts)")
        if not _JWS.fullmatch(raw):
            refuse("a JWT is three base64url parts separated by dots")
        head, payload, _signature = raw.split(".")
        try:
            header = _b64json(head, "header")
            claims = _b64json(payload, "payload")
        except ValueError as exc:
            refuse(str(exc))
        return cls(raw, header, claims, origin)

    @property
    def expires_at(self):
        exp = self.claims.get("exp")
        return exp if isinstance(exp, int) and not isinstance(exp, bool) else None

    def expires_within(self, seconds, now):
        return self.expires_at is None or self.expires_at - now <= seconds

    def audiences(self):
        aud = self.claims.get("aud")
        return aud if isinstance(aud, list) else [aud]


class TokenSource:
    """Where tokens come from. ``current(now)`` gives the token to send; ``renew()`` drops it."""

    renewable = False

    def __init__(self):
        self._token = None

    def current(self, now):
        if self._token is None or (self.renewable and self._token.expires_within(RENEW_WITHIN, now)):
            self._token = self._obtain()
        return self._token

    def renew(self):
        if self.renewable:
            self._token = None

    def _obtain(self):
        raise NotImplementedError


class GivenToken(TokenSource):
    """A token given as a string (option ``token``): used as it is, never renewed."""

    def __init__(self, raw):
        super().__init__()
        self._token = Token.parse(raw, "the token given in token", option="token")

    def _obtain(self):
        return self._token


class FileToken(TokenSource):
    """A token read from a file (option ``token_file``), read again when the one read is expiring or refused."""

    renewable = True

    def __init__(self, path):
        super().__init__()
        self.path = path

    def _obtain(self):
        try:
            with open(self.path, "r") as handle:
                raw = handle.read(MAX_TOKEN_LENGTH + 2)
        except (IOError, OSError) as exc:
            raise OptionError("token_file", "token_file %s cannot be read (%s): give the path of a file holding the "
                                            "access token" % (self.path, exc.strerror or exc))
        return Token.parse(raw, "the token in token_file %s" % self.path, option="token_file")


class _HttpAnswer(Exception):
    """A transient HTTP answer of the token endpoint, for the retrier."""

    def __init__(self, status, retry_after):
        super().__init__(status)
        self.status = status
        self.retry_after = retry_after


def _classify(exc):
    if isinstance(exc, _HttpAnswer):
        return Transient("HTTP %d" % exc.status, exc.retry_after, throttled=exc.status == 429)
    if tls_failure(exc) or configuration_failure(exc) or isinstance(exc, AnswerTooLarge):
        return None
    if isinstance(exc, (urllib_error.URLError, socket.timeout, ConnectionError, http_client.HTTPException, OSError)):
        return Transient("connection failure (%s)" % type(reason_of(exc)).__name__)
    return None


class ClientCredentials(TokenSource):
    """The client-credentials grant at the identity domain's token endpoint (step 6)."""

    renewable = True

    def __init__(self, token_url, client_id, client_secret, scope, audience, cert_bundle=None, retrier=None,
                 post=https_post, url_option="token_url", client_auth=None, clock=time.time):
        super().__init__()
        self.token_url = token_url
        self.client_id = client_id
        # How the client authenticates (client_auth.py): its secret, or an assertion signed by its key.
        self.client_auth = client_auth or SecretAuth(client_id, client_secret)
        self.clock = clock
        self.scope = scope
        self.audience = audience
        self.cert_bundle = cert_bundle
        self.retrier = retrier or Retrier()
        self._post = post
        # The option the token URL came from (token_url, or domain_url), for configuration errors.
        self.url_option = url_option

    def _obtain(self):
        endpoint = "the token endpoint %s" % self.token_url
        check_validity = getattr(self.client_auth, "check_validity", None)
        if check_validity is not None:
            check_validity(self.clock())

        def once():
            timeout = self.retrier.attempt_timeout(TOKEN_TIMEOUT, endpoint)
            # Made again for every attempt: a client assertion is used once (its jti).
            form = {"grant_type": "client_credentials", "scope": self.scope}
            headers = {"Content-Type": "application/x-www-form-urlencoded;charset=UTF-8", "Accept": "application/json"}
            self.client_auth.apply(form, headers)
            body = urllib_parse.urlencode(form).encode("ascii")
            status, answer_headers, content = self._post(self.token_url, body, headers, self.cert_bundle, timeout=timeout)
            if status in TRANSIENT_STATUS:
                raise _HttpAnswer(status, parse_retry_after(answer_headers.get("Retry-After") if answer_headers else None))
            return status, answer_headers, content

        try:
            status, answer_headers, content = self.retrier.call(once, _classify, endpoint)
        except OciAwsError:
            raise
        except AnswerTooLarge as exc:
            raise MalformedAnswer(endpoint, "more than %d bytes, not read further" % MAX_ANSWER_BYTES, status=exc.status)
        except (urllib_error.URLError, OSError, http_client.HTTPException) as exc:
            if tls_failure(exc):
                raise tls_refusal(self.token_url, self.url_option, self.cert_bundle, "cert_bundle", exc)
            why = configuration_failure(exc)
            if why:
                raise unreachable(self.token_url, self.url_option, why)
            # Only the kind of failure: an exception's text may quote what the endpoint sent.
            raise ServiceError("%s: the request failed (%s)" % (endpoint, type(reason_of(exc)).__name__),
                               endpoint=self.token_url)
        if status == 200:
            return self._token_from(content, endpoint)
        raise self._refusal(status, answer_headers, content)

    def _token_from(self, content, endpoint):
        try:
            answer = json.loads(content.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise MalformedAnswer(endpoint, "not JSON", status=200)
        if not isinstance(answer, dict):
            raise MalformedAnswer(endpoint, "not a JSON object", status=200)
        raw = answer.get("access_token")
        if raw is None:
            raise MalformedAnswer(endpoint, "no access_token", status=200)
        if not isinstance(raw, str):
            raise MalformedAnswer(endpoint, "an access_token that is not text", status=200)
        try:
            return Token.parse(raw, "the token from %s" % self.token_url)
        except ServiceError as exc:
            # Token.parse names the defect (length, shape), never the token.
            raise MalformedAnswer(endpoint, "an access_token that is not a usable JSON Web Token (%s)"
                                  % exc.msg.split(": ", 1)[-1], status=200)

    def _refusal(self, status, headers, content):
        """The error for a refused token request, naming the step of the procedure to fix."""
        if 300 <= status < 400:
            return ServiceError(
                "the token endpoint %s redirects (HTTP %d to %s): set domain_url (or token_url) to the domain's own URL"
                % (self.token_url, status, headers.get("Location") if headers else "?"), endpoint=self.token_url, status=status)
        try:
            answer = json.loads(content.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            answer = {}
        answer = answer if isinstance(answer, dict) else {}
        error = str(answer.get("error") or "")[:100]
        # "HTTP 400", or the OAuth error and its description (RFC 6749 section 5.2); nothing else of the body.
        said = "%s%s" % (error or "HTTP %d" % status, (": " + str(answer.get("error_description"))[:300])
                         if error and answer.get("error_description") else "")
        details = dict(endpoint=self.token_url, status=status, error_code=error or None)
        if error == "invalid_client" and self.client_auth.mode == "private_key":
            return key_refusal(self.client_auth, said, headers, self.clock(), **details)
        if error == "invalid_client":
            return Breakpoint(
                "2", "the identity domain refused client_id %s and its secret (%s): check client_id and client_secret. "
                     "A secret regenerated in the console or by another run replaces the old one at once: use the current "
                     "secret, or issue a new one (multicloud.oci_aws.oci_oidc_app with secret: regenerate; the role "
                     "multicloud.oci_aws.oci_oidc_provider with oci_oidc_provider_secret=regenerate) and give it to every "
                     "holder. If the secret is right, the app is inactive or no OAuth client (steps 2.2 and 2.3), which "
                     "multicloud.oci_aws.oci_oidc_app repairs" % (self.client_id, said), **details)
        if error == "unauthorized_client":
            return Breakpoint(
                "2.2", "the app %s may not use the client credentials grant (%s): allow that grant in its OAuth client "
                       "configuration; %s" % (self.client_id, said, FIX_APP), **details)
        if error == "invalid_scope":
            return Breakpoint(
                "2.1",
                "the identity domain refused the scope %r (%s): the app is not a resource server with primary audience "
                "%s and scope value / (step 2.1), or the client is not allowed that resource's scope (step 2.2, \"Add "
                "resources\"); %s with audience: %s, and request the scope %s/" % (
                    self.scope, said, self.audience, FIX_APP, self.audience, self.audience),
                **details)
        if status == 404:
            return ServiceError("there is no token endpoint at %s (HTTP 404): check domain_url or token_url"
                                % self.token_url, **details)
        return ServiceError("the token endpoint %s refused the request: HTTP %d%s" % (
            self.token_url, status, " (%s)" % said if error else ""), **details)
