# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

How the client authenticates to the identity domain's token endpoint (step 6):

- :class:`SecretAuth`: the client ID and secret in HTTP Basic (RFC 6749 section 2.3.1);
- :class:`PrivateKeyAuth`: a JWT client assertion (RFC 7523; Oracle "Client/User JWT Assertion"),
  signed RS256 with a private key that never leaves the host, naming its certificate by ``kid``
  (the certificate alias registered on the app) and ``x5t`` (its base64url SHA-1 thumbprint);
  claims ``iss`` = ``sub`` = the client ID, ``aud`` the domain URL in every form the docs give,
  ``iat``, a short ``exp`` and a fresh ``jti``. A new assertion is made for every attempt, so a
  retry is never refused as a replay.

Only ``cryptography`` is used to sign; neither the key nor an assertion enters a message.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import secrets
import time
import urllib.parse as urllib_parse

from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import Breakpoint, OptionError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._paths import private_file

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    HAS_CRYPTOGRAPHY = True
except ImportError:  # pragma: no cover - reported when the key mode is used
    HAS_CRYPTOGRAPHY = False

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# The audiences Oracle's pages give for an assertion: the domain URL (the API docs' text), with a
# slash (their sample), and the IDCS default issuer (the IDCS pages); "one of the aud claim values"
# must match, so sending all of them works whichever reading the service takes.
ORACLE_AUDIENCE = "https://identity.oraclecloud.com/"
ASSERTION_LIFETIME = 60
# iat is set this far back, so that a domain whose clock is a little behind does not see it in the future.
IAT_BACKDATE = 5
MIN_KEY_BITS = 2048
KEY_FIX = "make one with multicloud.oci_aws.oci_client_key"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _need_cryptography(option):
    if not HAS_CRYPTOGRAPHY:
        raise OptionError(option, "%s needs the Python library cryptography on the host that signs: install it "
                                  "(pip install cryptography)" % option)


def thumbprint(der):
    """The ``x5t`` of a certificate (DER): base64url SHA-1, as the JOSE header and the App's ``x5t`` spell it."""
    return b64url(hashlib.sha1(der).digest())  # nosec - x5t is SHA-1 by definition (RFC 7515 section 4.1.7)


def load_key_file(path, option="client_private_key_file"):
    """``(key, certificate or None)`` from ONE read of the PEM file ``path`` (checked by :func:`private_file`).

    One read, so that a key file replaced meanwhile (``oci_client_key`` promoting a new key by a
    rename) never gives the old key with the new certificate. Else OptionError naming ``option``.
    """
    _need_cryptography(option)
    path = private_file(path, option, "the client's private key")
    with open(path, "rb") as handle:
        data = handle.read(65536)
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        # No detail of the parser: it may quote the file.
        raise OptionError(option, "%s %s is not an unencrypted PEM private key: %s" % (option, path, KEY_FIX))
    check_rsa_key(key, option, path)
    certificate = None
    if b"-----BEGIN CERTIFICATE-----" in data:
        try:
            certificate = x509.load_pem_x509_certificate(data)
        except ValueError:
            raise OptionError(option, "%s %s holds a certificate that is not a PEM X.509 certificate: %s"
                              % (option, path, KEY_FIX))
    return key, certificate


def load_private_key(path, option="client_private_key_file"):
    """The RSA private key in the PEM file ``path``; else OptionError naming ``option``."""
    return load_key_file(path, option)[0]


def check_rsa_key(key, option, where):
    if not isinstance(key, rsa.RSAPrivateKey):
        raise OptionError(option, "%s %s is not an RSA key: the identity domain verifies RS256 only; %s"
                          % (option, where, KEY_FIX))
    if key.key_size < MIN_KEY_BITS:
        raise OptionError(option, "%s %s is an RSA key of %d bits: use at least %d; %s"
                          % (option, where, key.key_size, MIN_KEY_BITS, KEY_FIX))


def load_certificate(path, option="client_certificate_file"):
    """The X.509 certificate in the PEM file ``path``; else OptionError naming ``option``."""
    _need_cryptography(option)
    try:
        with open(path, "rb") as handle:
            data = handle.read(65536)
    except (IOError, OSError) as exc:
        raise OptionError(option, "%s %s cannot be read (%s): give the PEM certificate of the client's key"
                          % (option, path, exc.strerror or exc))
    try:
        return x509.load_pem_x509_certificate(data)
    except ValueError:
        raise OptionError(option, "%s %s is not a PEM X.509 certificate: %s" % (option, path, KEY_FIX))


def same_key(private_key, certificate):
    return private_key.public_key().public_numbers() == certificate.public_key().public_numbers()


def not_after(certificate):
    value = getattr(certificate, "not_valid_after_utc", None)
    if value is None:  # cryptography < 42
        value = certificate.not_valid_after.replace(tzinfo=datetime.timezone.utc)
    return value


def not_before(certificate):
    value = getattr(certificate, "not_valid_before_utc", None)
    if value is None:
        value = certificate.not_valid_before.replace(tzinfo=datetime.timezone.utc)
    return value


class SecretAuth:
    """The client secret in HTTP Basic (form-encoded first, RFC 6749 section 2.3.1)."""

    mode = "secret"

    def __init__(self, client_id, client_secret):
        self.client_id = client_id
        self._secret = client_secret

    def apply(self, form, headers, now=None):
        quote = urllib_parse.quote_plus
        basic = base64.b64encode(("%s:%s" % (quote(self.client_id), quote(self._secret))).encode("utf-8")).decode("ascii")
        headers["Authorization"] = "Basic " + basic

    def describe(self):
        return "client_id %s and its secret" % self.client_id


class PrivateKeyAuth:
    """A JWT client assertion signed by the client's private key (see the module docstring)."""

    mode = "private_key"

    def __init__(self, client_id, key_path, domain_url, certificate_path=None, alias=None, lifetime=ASSERTION_LIFETIME,
                 clock=time.time):
        self._key, embedded = load_key_file(key_path)
        if certificate_path is None and embedded is not None:
            certificate_path = key_path  # oci_client_key's file: the key and its certificate together
        if certificate_path is None and alias is None:
            raise OptionError("client_certificate_alias", "client_private_key_file needs client_certificate_alias (the "
                                                          "alias of its certificate on the app, sent as kid) or "
                                                          "client_certificate_file (the certificate, named by its x5t "
                                                          "thumbprint), or both, unless the key file holds its "
                                                          "certificate too (as oci_client_key makes it)")
        self.client_id = client_id
        self.key_path = key_path
        self.alias = alias
        self.certificate_path = certificate_path
        self.certificate = None
        self.x5t = None
        if certificate_path is not None:
            # The key's own file is not read again: its certificate came with the key, from the same read.
            self.certificate = embedded if certificate_path == key_path else load_certificate(certificate_path)
            if not same_key(self._key, self.certificate):
                raise OptionError("client_certificate_file", "client_certificate_file %s is not the certificate of the "
                                                             "key in client_private_key_file %s: give the pair made "
                                                             "together (%s)" % (certificate_path, key_path, KEY_FIX))
            self.x5t = thumbprint(self.certificate.public_bytes(serialization.Encoding.DER))
        domain_url = domain_url.rstrip("/")
        self.audiences = [domain_url, domain_url + "/", ORACLE_AUDIENCE]
        self.lifetime = lifetime
        self.clock = clock

    def check_validity(self, now):
        """A Breakpoint when the certificate is expired or not yet valid at ``now`` (before any request)."""
        if self.certificate is None:
            return
        moment = datetime.datetime.fromtimestamp(now, datetime.timezone.utc)
        end, start = not_after(self.certificate), not_before(self.certificate)
        if moment > end or moment < start:
            raise Breakpoint(
                "2", "the certificate in client_certificate_file %s (%s) is %s: the identity domain refuses assertions "
                     "it verifies with it. Rotate: make a new key and certificate (multicloud.oci_aws.oci_client_key), "
                     "register it beside the old one (multicloud.oci_aws.oci_oidc_app client_certificates), switch this "
                     "host to it, then remove the old one" % (
                         self.certificate_path, self.names(),
                         "expired since %s" % end.strftime("%Y-%m-%dT%H:%M:%SZ") if moment > end
                         else "not valid before %s" % start.strftime("%Y-%m-%dT%H:%M:%SZ")),
                option="client_certificate_file")

    def names(self):
        """How the assertion names its certificate, for messages."""
        parts = []
        if self.alias is not None:
            parts.append("alias (kid) %s" % self.alias)
        if self.x5t is not None:
            parts.append("thumbprint (x5t) %s" % self.x5t)
        return " and ".join(parts)

    def assertion(self, now=None):
        now = int(self.clock() if now is None else now)
        header = {"alg": "RS256", "typ": "JWT"}
        if self.alias is not None:
            header["kid"] = self.alias
        if self.x5t is not None:
            header["x5t"] = self.x5t
        claims = {
            "iss": self.client_id, "sub": self.client_id, "aud": self.audiences,
            "iat": now - IAT_BACKDATE, "exp": now + self.lifetime, "jti": secrets.token_urlsafe(24),
        }
        signing_input = "%s.%s" % (b64url(json.dumps(header, separators=(",", ":")).encode("utf-8")),
                                   b64url(json.dumps(claims, separators=(",", ":")).encode("utf-8")))
        signature = self._key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + b64url(signature)

    def apply(self, form, headers, now=None):
        form["client_assertion_type"] = ASSERTION_TYPE
        form["client_assertion"] = self.assertion(now)

    def describe(self):
        return "the client assertion of client_id %s signed by client_private_key_file %s (certificate %s)" % (
            self.client_id, self.key_path, self.names())


# The local clock may differ from the domain's by this much before it is named as the cause.
MAX_SKEW = 30


def clock_offset(headers, now):
    """Seconds the domain's clock (its ``Date`` header) is ahead of ``now``, or None without a usable header."""
    value = headers.get("Date") if headers else None
    if not value:
        return None
    try:
        from email.utils import parsedate_to_datetime
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return int(moment.timestamp() - now)


def key_refusal(auth, said, headers, now, **details):
    """The Breakpoint for ``invalid_client`` in key mode: the cause found here, or every cause and its fix.

    The service does not say why it refused an assertion; what can be found on this side is named
    alone (the clocks differ); the rest is listed with the alias and thumbprint this host sent, to
    compare with the app's certificates (``oci_oidc_app`` shows them in its diff and return).
    """
    offset = clock_offset(headers, now)
    if offset is not None and abs(offset) > MAX_SKEW:
        return Breakpoint(
            "6", "the identity domain refused %s (%s), and its clock is %d s %s this host's: the assertion's iat and exp "
                 "(valid %d s) are judged by the domain's clock. Synchronise this host's clock (NTP, chronyd)" % (
                     auth.describe(), said, abs(offset), "ahead of" if offset > 0 else "behind", auth.lifetime),
            clock_offset=offset, **details)
    return Breakpoint(
        "2", "the identity domain refused %s (%s). Check, in this order: (1) the certificate is registered on the app %s "
             "(certAlias and thumbprint as above, and not removed by a rotation): register it with "
             "multicloud.oci_aws.oci_oidc_app client_certificates, or role variable oci_oidc_provider_client_certificates; "
             "(2) the alias and thumbprint match: client_certificate_alias must be the certAlias on the app and "
             "client_certificate_file the certificate registered under it; (3) the certificate on the app has not "
             "expired (rotate with multicloud.oci_aws.oci_client_key); (4) the app is a trusted client (client_auth: "
             "private_key in oci_oidc_app sets it) and active; (5) the assertion's audience %s is the domain: set "
             "domain_url to the identity domain's URL" % (auth.describe(), said, auth.client_id, auth.audiences[0]),
        **details)
