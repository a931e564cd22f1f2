"""Client authentication by a signed JWT client assertion at `/oauth2/v1/token`, and the App's
`certificates` it is checked against.

Sources:
- Oracle "Client/User JWT Assertion" (Identity Domains API, api-getstarted/ClientAssertion.htm):
  header `alg` RS256 (the one algorithm supported), `kid` or `x5t` (base64url SHA-1 thumbprint of
  the X.509 certificate) must be present; claims `sub` and `iss` = the client id (the App's `name`),
  `aud` "the identity domain URL (https://<domainURL>) must be one of the aud claim values", `exp`
  required, `iat` issued-at;
- Oracle "Using JWT Client Assertion" (IDCS integration docs): the `kid` "must match the
  certificateAlias of the uploaded public certificate"; request `grant_type=client_credentials`,
  `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`,
  `client_assertion=<JWT>`, no Authorization header; older pages give
  `aud` = `https://identity.oraclecloud.com/`;
- the SDK's `AppCertificates` model (oci 2.189.0): `certAlias` (readWrite, required, caseExact
  false, the composite key of `certificates`), `x509Base64Certificate` (readWrite), `sha1Thumbprint`,
  `kid`, `x5t` (readOnly, computed by the service);
- RFC 7523 section 3 (jti replay, exp required) and RFC 6749 section 5.2 (`invalid_client`, 401).

What the docs leave open, and the answer the sandbox takes (the harder one; a switch gives the other):
- `aud`: exactly the domain URL, no trailing slash (the docs' text), unless
  `client_assertion_audience_lenient` (also `https://<domainURL>/`, the docs' sample, and
  `https://identity.oraclecloud.com[/]`, the IDCS pages);
- the client type: only a `trusted` App may authenticate with an assertion (the IDCS console
  offers certificate import for the Trusted client type only) unless
  `client_assertion_requires_trusted_client` is off (a `confidential` App too);
- `jti`: required, and refused when reused before the assertion's `exp` (RFC 7523 "MAY"), unless
  `client_assertion_requires_jti` is off;
- skew: none (`client_assertion_clock_skew_seconds` 0, like the sandbox's STS `clock_skew_seconds`);
- the answer: every refusal is HTTP 401 `invalid_client` "Client authentication failed." (the one
  description the service documents for a client it does not authenticate); the reason is logged
  (logger `sandbox.idcs`), never answered, so a client cannot rely on it.
"""

import base64
import binascii
import datetime
import hashlib
import json
import logging

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .errors import OAuthError, bad_request

LOG = logging.getLogger("sandbox.idcs")
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
DEFAULT_ISSUER_AUDIENCES = ("https://identity.oraclecloud.com", "https://identity.oraclecloud.com/")
MIN_KEY_BITS = 2048

OPTIONS = {
    "client_assertion_audience_lenient": False,
    "client_assertion_requires_trusted_client": True,
    "client_assertion_requires_jti": True,
    "client_assertion_clock_skew_seconds": 0,
}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(part):
    return base64.urlsafe_b64decode((part + "=" * (-len(part) % 4)).encode("ascii"))


class Refused(Exception):
    """Why an assertion is refused (logged, never answered)."""


def _refuse(why):
    LOG.info("client assertion refused: %s", why)
    return OAuthError(401, "invalid_client", "Client authentication failed.")


# -- the App's certificates ------------------------------------------------------------------

def _load_certificate(entry):
    text = entry.get("x509Base64Certificate")
    if not isinstance(text, str) or not text.strip():
        raise bad_request("certificates.x509Base64Certificate is required.", "invalidValue")
    body = "".join(line for line in text.strip().splitlines() if not line.startswith("-----"))
    try:
        der = base64.b64decode(body, validate=True)
        certificate = x509.load_der_x509_certificate(der)
    except (binascii.Error, ValueError):
        raise bad_request("certificates.x509Base64Certificate of %s is not a base64 X.509 certificate."
                          % entry.get("certAlias"), "invalidValue") from None
    return der, certificate


def normalise_certificates(app):
    """Checks and server-computed sub-attributes of `app["certificates"]` (called on every store)."""
    entries = app.get("certificates")
    if not entries:
        return
    seen = set()
    for entry in entries:
        alias = entry.get("certAlias")
        if not isinstance(alias, str) or not alias:
            raise bad_request("Missing required attribute(s): certificates.certAlias.")
        if alias.lower() in seen:  # idcsCompositeKey [certAlias], caseExact false
            raise bad_request("The certificate alias %s is used twice." % alias, "uniqueness")
        seen.add(alias.lower())
        der, certificate = _load_certificate(entry)
        key = certificate.public_key()
        if not isinstance(key, rsa.RSAPublicKey) or key.key_size < MIN_KEY_BITS:
            raise bad_request("The certificate %s must hold an RSA key of at least %d bits." % (alias, MIN_KEY_BITS),
                              "invalidValue")
        sha1 = hashlib.sha1(der).digest()  # noqa: S324 - the x5t thumbprint is SHA-1 by definition
        entry["x509Base64Certificate"] = base64.b64encode(der).decode("ascii")
        entry["sha1Thumbprint"] = sha1.hex()
        entry["x5t"] = b64url(sha1)
        entry["kid"] = alias


# -- the token request -----------------------------------------------------------------------

class AssertionVerifier:
    """Authenticates a client by its `client_assertion` (called under the domain's lock)."""

    def __init__(self, domain):
        self.domain = domain
        self.used = {}  # (client id, jti) -> the time after which it may be forgotten

    def authenticate(self, form):
        """The App that signed `form["client_assertion"]`, or an `OAuthError`."""
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            if not form.get("client_assertion_type"):
                raise OAuthError(400, "invalid_request", "The client_assertion_type parameter is missing.")
            raise OAuthError(400, "invalid_request", "The client_assertion_type %s is not supported."
                             % form.get("client_assertion_type"))
        if form.get("client_secret") is not None:
            raise OAuthError(400, "invalid_request", "The client must use only one authentication method.")
        try:
            return self._verify(form.get("client_assertion") or "", form.get("client_id"))
        except Refused as why:
            raise _refuse(str(why)) from None

    def _verify(self, raw, client_id):
        options = self.domain.options
        parts = raw.split(".")
        if len(parts) != 3:
            raise Refused("not a compact JWS")
        try:
            header = json.loads(_unb64url(parts[0]))
            claims = json.loads(_unb64url(parts[1]))
            signature = _unb64url(parts[2])
        except (binascii.Error, ValueError, UnicodeDecodeError):
            raise Refused("not base64url JSON") from None
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise Refused("header or claims not an object")
        if header.get("alg") != "RS256":
            raise Refused("alg %r: only RS256" % header.get("alg"))
        iss, sub = claims.get("iss"), claims.get("sub")
        if not isinstance(iss, str) or iss != sub:
            raise Refused("iss and sub must both be the client id")
        if client_id is not None and client_id != iss:
            raise Refused("client_id differs from iss")
        client = self.domain.apps.by_client_id(iss)
        if client is None:
            raise Refused("no App named %s" % iss)
        if not client.get("active") or not client.get("isOAuthClient"):
            raise Refused("App inactive or not an OAuth client")
        if options["client_assertion_requires_trusted_client"] and client.get("clientType") != "trusted":
            raise Refused("clientType %s, not trusted" % client.get("clientType"))
        entry = self._certificate(client, header)
        now = int(self.domain.clock.now())
        skew = int(options["client_assertion_clock_skew_seconds"] or 0)
        certificate = x509.load_der_x509_certificate(base64.b64decode(entry["x509Base64Certificate"]))
        moment = datetime.datetime.fromtimestamp(now, datetime.timezone.utc)
        if not (certificate.not_valid_before_utc - datetime.timedelta(seconds=skew) <= moment
                <= certificate.not_valid_after_utc + datetime.timedelta(seconds=skew)):
            raise Refused("certificate %s is expired or not yet valid" % entry["certAlias"])
        try:
            certificate.public_key().verify(signature, (parts[0] + "." + parts[1]).encode("ascii"),
                                            padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            raise Refused("signature does not verify with certificate %s" % entry["certAlias"]) from None
        self._check_audience(claims.get("aud"))
        exp, iat = claims.get("exp"), claims.get("iat")
        for name, value in (("exp", exp), ("iat", iat)):
            if not isinstance(value, int) or isinstance(value, bool):
                raise Refused("%s missing or not an integer" % name)
        if now >= exp + skew:
            raise Refused("expired %d s ago" % (now - exp))
        if iat > now + skew:
            raise Refused("iat %d s in the future" % (iat - now))
        self._check_jti(iss, claims.get("jti"), exp + skew, now)
        return client

    @staticmethod
    def _certificate(client, header):
        kid, x5t = header.get("kid"), header.get("x5t")
        if kid is None and x5t is None:
            raise Refused("neither kid nor x5t in the header")
        found = None
        for entry in client.get("certificates") or []:
            if kid is not None and str(kid).lower() != entry["certAlias"].lower():
                continue
            if x5t is not None and x5t != entry["x5t"]:
                continue
            found = entry
            break
        if found is None:
            raise Refused("no certificate of %s with kid %r / x5t %r" % (client["name"], kid, x5t))
        return found

    def _check_audience(self, aud):
        audiences = aud if isinstance(aud, list) else [aud]
        base = self.domain.base_url
        accepted = {base}
        if self.domain.options["client_assertion_audience_lenient"]:
            accepted.update((base + "/",) + DEFAULT_ISSUER_AUDIENCES)
        if not any(isinstance(a, str) and a in accepted for a in audiences):
            raise Refused("aud %r does not hold %s" % (aud, " or ".join(sorted(accepted))))

    def _check_jti(self, client_id, jti, forget_after, now):
        self.used = {key: until for key, until in self.used.items() if until > now}
        if jti is None:
            if self.domain.options["client_assertion_requires_jti"]:
                raise Refused("no jti")
            return
        if not isinstance(jti, str) or not jti:
            raise Refused("jti not a string")
        if (client_id, jti) in self.used:
            raise Refused("jti %s already used" % jti)
        self.used[(client_id, jti)] = forget_after


def certificate_entry(alias, pem_or_der):
    """`{"certAlias", "x509Base64Certificate"}` for a PEM text or DER bytes (for tests and the walkthrough)."""
    if isinstance(pem_or_der, str):
        pem_or_der = x509.load_pem_x509_certificate(pem_or_der.encode()).public_bytes(serialization.Encoding.DER)
    return {"certAlias": alias, "x509Base64Certificate": base64.b64encode(pem_or_der).decode("ascii")}
