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
"""

import threading

import requests


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

    def jwks(self, issuer: str, *, timeout: float, cache_seconds: float = 0, check_issuer: bool = False) -> dict:
        """The JWKS (``{"keys": [...]}``) of `issuer`, fetched through its discovery document.

        With `check_issuer`, the discovery document's ``issuer`` must equal `issuer`.
        """
        if cache_seconds > 0:
            with self._lock:
                cached = self._cache.get(issuer)
            if cached and cached[0] > self.clock.now():
                return cached[1]
        with requests.Session() as session:
            session.trust_env = False  # never send the sandbox's traffic through a proxy
            discovery = self._get_json(session, issuer.rstrip("/") + "/.well-known/openid-configuration", timeout)
            if not isinstance(discovery, dict) or not isinstance(discovery.get("jwks_uri"), str):
                raise DiscoveryInvalid("the discovery document has no jwks_uri")
            if check_issuer and discovery.get("issuer") != issuer:
                raise DiscoveryInvalid("the discovery document names another issuer")
            jwks = self._get_json(session, discovery["jwks_uri"], timeout, invalid=KeysUnavailable)
        if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
            raise KeysUnavailable("the JWKS has no keys")
        if cache_seconds > 0:
            with self._lock:
                self._cache[issuer] = (self.clock.now() + cache_seconds, jwks)
        return jwks

    def _get_json(self, session, url: str, timeout: float, invalid=DiscoveryInvalid):
        try:
            response = session.get(url, timeout=timeout, verify=self.ca_bundle, headers={"Accept": "application/json"})
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
