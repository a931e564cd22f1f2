"""Fetching an OIDC issuer's signing keys the way STS does for AssumeRoleWithWebIdentity.

STS reads ``<iss>/.well-known/openid-configuration``, then the document's ``jwks_uri``, anonymously
over HTTPS, and verifies the TLS certificate against its library of trusted root CAs (here: the
sandbox CA, `ca_bundle`) (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html;
https://repost.aws/knowledge-center/iam-sts-invalididentitytoken: both endpoints must be publicly
readable and answer within 5 seconds).

Failures are classified for the gate, which maps them to the STS errors:
`IdpUnreachable` (no connection, timeout, HTTP 5xx), `KeysUnavailable` (any other non-200 answer —
e.g. the 401 of an OCI domain whose signing keys are not public — or a JWKS that is not a key set),
`DiscoveryInvalid` (the discovery document is not usable) and `CertificateUntrusted` (TLS
verification failed).

Caching is off unless the caller passes a positive ``cache_seconds``; expiry is measured on the
sandbox clock.

Thumbprints (`presented_chain`, `thumbprint`): "The server certificate thumbprint is the hex-encoded
SHA-1 hash value of the X.509 certificate used by the domain where the OpenID Connect provider makes
its keys available" and, when ``ThumbprintList`` is left out, "IAM will retrieve and use the top
intermediate certificate authority (CA) thumbprint of the OpenID Connect identity provider server
certificate" (CreateOpenIDConnectProvider, botocore's IAM model); the IAM User Guide's procedure
(id_roles_providers_create_oidc_verify-thumbprint.html) takes the last certificate the server
presents. When STS does not trust the issuer's CA ("If your OIDC IdP relies on a certificate that
is not signed by one of these trusted CAs, only then we secure communication using the thumbprints
set in the IdP's configuration", same source), `IssuerKeys.jwks(thumbprints=[...])` lets a fetch
through only if a certificate the host presents has one of the provider's thumbprints.
"""

import hashlib
import select
import socket
import threading
import urllib.parse

import requests
import urllib3
from cryptography.hazmat.primitives import serialization
from OpenSSL import SSL

# Thumbprint-pinned fetches (verify=False after the pin check) are intended; do not warn about them.
urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)


class IdpFetchError(Exception):
    """Base class: the issuer's keys could not be obtained."""


class IdpUnreachable(IdpFetchError):
    pass


class KeysUnavailable(IdpFetchError):
    pass


class DiscoveryInvalid(IdpFetchError):
    pass


class CertificateUntrusted(IdpFetchError):
    pass


class IssuerKeys:
    """Thread-safe fetcher (and optional cache) of issuers' JSON Web Key Sets."""

    def __init__(self, ca_bundle: str, clock):
        self.ca_bundle = ca_bundle
        self.clock = clock
        self._lock = threading.Lock()
        self._cache = {}  # issuer -> (expires_at, jwks)

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()

    def jwks(self, issuer: str, *, timeout: float, cache_seconds: float = 0, check_issuer: bool = False,
             thumbprints=None) -> dict:
        """The JWKS (``{"keys": [...]}``) of `issuer`, fetched through its discovery document.

        With `check_issuer`, the discovery document's ``issuer`` must equal `issuer`. With
        `thumbprints` (a list), the sandbox CA is not trusted: each host must present a certificate
        whose SHA-1 is in the list (`CertificateUntrusted` otherwise).
        """
        pins = None if thumbprints is None else {t.lower() for t in thumbprints}
        if cache_seconds > 0:
            with self._lock:
                cached = self._cache.get(issuer)
            if cached and cached[0] > self.clock.now():
                return cached[1]
        with requests.Session() as session:
            session.trust_env = False  # never send the sandbox's traffic through a proxy
            discovery = self._get_json(session, issuer.rstrip("/") + "/.well-known/openid-configuration", timeout, pins)
            if not isinstance(discovery, dict) or not isinstance(discovery.get("jwks_uri"), str):
                raise DiscoveryInvalid("the discovery document has no jwks_uri")
            if check_issuer and discovery.get("issuer") != issuer:
                raise DiscoveryInvalid("the discovery document names another issuer")
            jwks = self._get_json(session, discovery["jwks_uri"], timeout, pins, invalid=KeysUnavailable)
        if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
            raise KeysUnavailable("the JWKS has no keys")
        if cache_seconds > 0:
            with self._lock:
                self._cache[issuer] = (self.clock.now() + cache_seconds, jwks)
        return jwks

    def _get_json(self, session, url: str, timeout: float, pins=None, invalid=DiscoveryInvalid):
        verify = self.ca_bundle
        if pins is not None:
            presented = {thumbprint(der) for der in presented_chain(url, timeout)}
            if not presented & pins:
                raise CertificateUntrusted("%s presents no certificate with a configured thumbprint" % url)
            verify = False
        try:
            response = session.get(url, timeout=timeout, verify=verify, headers={"Accept": "application/json"})
        except requests.exceptions.SSLError as exc:
            raise CertificateUntrusted(str(exc)) from exc
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
            raise IdpUnreachable(str(exc)) from exc
        except requests.exceptions.RequestException as exc:
            raise KeysUnavailable(str(exc)) from exc
        if response.status_code >= 500:
            raise IdpUnreachable("%s answered %d" % (url, response.status_code))
        if response.status_code != 200:
            raise KeysUnavailable("%s answered %d" % (url, response.status_code))
        try:
            return response.json()
        except ValueError as exc:
            raise invalid("%s did not answer JSON" % url) from exc


def thumbprint(der: bytes) -> str:
    """IAM's thumbprint of a certificate: hex SHA-1 of its DER form, lower case."""
    return hashlib.sha1(der).hexdigest()  # noqa: S324 - the IAM thumbprint format is SHA-1


def presented_chain(url: str, timeout: float) -> list:
    """The certificates (DER) the host of `url` presents in its TLS handshake, leaf first, unverified.

    Raises `IdpUnreachable` when no TLS session can be set up within `timeout`.
    """
    parsed = urllib.parse.urlparse(url)
    host, port = parsed.hostname, parsed.port or 443
    context = SSL.Context(SSL.TLS_CLIENT_METHOD)
    context.set_verify(SSL.VERIFY_NONE, lambda *args: True)
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except OSError as exc:
        raise IdpUnreachable("%s: %s" % (url, exc)) from exc
    try:
        connection = SSL.Connection(context, sock)
        if host and not host.replace(".", "").isdigit():
            connection.set_tlsext_host_name(host.encode("idna"))
        connection.set_connect_state()
        while True:
            try:
                connection.do_handshake()
                break
            except (SSL.WantReadError, SSL.WantWriteError):
                ready, _w, _x = select.select([sock], [], [], timeout)
                if not ready:
                    raise IdpUnreachable("%s: TLS handshake timed out" % url) from None
            except SSL.Error as exc:
                raise IdpUnreachable("%s: TLS handshake failed: %s" % (url, exc)) from exc
        chain = connection.get_peer_cert_chain(as_cryptography=True) or []
        return [cert.public_bytes(serialization.Encoding.DER) for cert in chain]
    finally:
        sock.close()


def top_intermediate_thumbprint(url: str, timeout: float) -> str:
    """The thumbprint IAM stores for a provider created without ``ThumbprintList``: that of the last
    certificate the issuer's host presents (the top intermediate CA, or the leaf if it is alone)."""
    chain = presented_chain(url, timeout)
    if not chain:
        raise IdpUnreachable("%s presented no certificate" % url)
    return thumbprint(chain[-1])
