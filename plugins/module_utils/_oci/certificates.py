# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

The app's ``certificates`` (SDK model ``AppCertificates``: ``certAlias`` readWrite and the
attribute's composite key, ``x509Base64Certificate`` readWrite; ``sha1Thumbprint``, ``kid``,
``x5t`` readOnly), against which the identity domain verifies the client's JWT assertions
(private-key client authentication, ``client_auth: private_key``).

- :class:`CertificateSpec` checks what the user gives (``client_certificates``): an alias and a
  PEM or base64 DER certificate each, RSA of at least 2048 bits, not expired, no alias or
  certificate twice, never a private key;
- :func:`certificates_view` is what the diff and the ``app`` return show: aliases, thumbprints and
  validity, never a certificate body or a key;
- :func:`certificate_ops` gives the PatchOps (``add`` the new ones, ``remove``
  ``certificates[certAlias eq "..."]`` the ones no longer listed when purging) in one PATCH, so
  that a rotation adds the new certificate in one run and removes the old in a later one.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import json
import time

from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError

try:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import rsa
    HAS_CRYPTOGRAPHY = True
except ImportError:  # pragma: no cover
    HAS_CRYPTOGRAPHY = False

CLIENT_AUTH_MODES = ("secret", "private_key")
# The client type that may hold certificates and authenticate with an assertion (the console
# offers certificate import for the Trusted client type); secret mode keeps confidential.
CLIENT_TYPE = {"secret": "confidential", "private_key": "trusted"}
OPTION = "client_certificates"
MIN_KEY_BITS = 2048


def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _der_of(text):
    """DER bytes from a PEM certificate or its base64 body; None when it is neither."""
    if not isinstance(text, str):
        return None
    body = "".join(line.strip() for line in text.strip().splitlines() if not line.startswith("-----"))
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        return None


def _when(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _validity(certificate):
    start = getattr(certificate, "not_valid_before_utc", None) or certificate.not_valid_before.replace(
        tzinfo=datetime.timezone.utc)
    end = getattr(certificate, "not_valid_after_utc", None) or certificate.not_valid_after.replace(
        tzinfo=datetime.timezone.utc)
    return start, end


def describe(alias, der):
    """The view of one certificate: alias, thumbprints, end of validity (no body)."""
    entry = dict(alias=alias, sha1_thumbprint=hashlib.sha1(der).hexdigest(),  # nosec - the thumbprint the App shows
                 x5t=_b64url(hashlib.sha1(der).digest()), not_after=None)  # nosec - x5t is SHA-1 by definition
    if HAS_CRYPTOGRAPHY:
        try:
            entry["not_after"] = _when(_validity(x509.load_der_x509_certificate(der))[1])
        except ValueError:
            pass
    return entry


def certificates_view(app):
    """The app's certificates (as the service sends them), for comparison and the diff."""
    entries = []
    for item in app.get("certificates") or []:
        der = _der_of(item.get("x509Base64Certificate")) or b""
        entry = describe(item.get("certAlias"), der) if der else dict(
            alias=item.get("certAlias"), sha1_thumbprint=item.get("sha1Thumbprint"), x5t=item.get("x5t"), not_after=None)
        entries.append(entry)
    return sorted(entries, key=lambda e: str(e["alias"]).lower())


class CertificateSpec:
    """The certificates the user wants on the app; ``purge`` removes the others."""

    def __init__(self, entries, purge=True, now=None):
        if not HAS_CRYPTOGRAPHY:
            raise OptionError(OPTION, "client_certificates needs the Python library cryptography where the module runs")
        if not isinstance(entries, list):
            raise OptionError(OPTION, "client_certificates must be a list of {alias, certificate}")
        now = time.time() if now is None else now
        self.purge = purge
        self.wanted = {}  # lower-case alias -> (alias, der)
        thumbprints = {}
        for index, entry in enumerate(entries):
            where = "client_certificates[%d]" % index
            if not isinstance(entry, dict):
                raise OptionError(OPTION, "%s must be a mapping with alias and certificate" % where)
            alias = entry.get("alias")
            text = entry.get("certificate") or entry.get("x509_base64")
            if any("PRIVATE KEY" in str(value) for value in entry.values()):
                # Never echo what was given: it holds a key.
                raise OptionError(OPTION, "%s holds a private key: give only the certificate (oci_client_key returns it); "
                                          "the key must stay on its host, and treat it as copied" % where)
            if not isinstance(alias, str) or not alias or len(alias) > 255 or any(c.isspace() or c == '"' for c in alias):
                raise OptionError(OPTION, "%s needs an alias: printable characters, no spaces or quotes" % where)
            der = _der_of(text)
            try:
                certificate = x509.load_der_x509_certificate(der) if der else None
            except ValueError:
                certificate = None
            if certificate is None:
                raise OptionError(OPTION, "%s (alias %s): certificate is not a PEM or base64 DER X.509 certificate"
                                  % (where, alias))
            key = certificate.public_key()
            if not isinstance(key, rsa.RSAPublicKey) or key.key_size < MIN_KEY_BITS:
                raise OptionError(OPTION, "%s (alias %s): the certificate must hold an RSA key of at least %d bits (the "
                                          "identity domain verifies RS256 only)" % (where, alias, MIN_KEY_BITS))
            start, end = _validity(certificate)
            if end.timestamp() <= now:
                raise OptionError(OPTION, "%s (alias %s): the certificate expired on %s: make a new key "
                                          "(multicloud.oci_aws.oci_client_key) and register its certificate"
                                  % (where, alias, _when(end)))
            if alias.lower() in self.wanted:
                raise OptionError(OPTION, "%s: the alias %s is given twice" % (where, alias))
            digest = hashlib.sha1(der).hexdigest()  # nosec - identity of a certificate, not a security check
            if digest in thumbprints:
                raise OptionError(OPTION, "%s: the certificate of alias %s is already given as %s" % (
                    where, alias, thumbprints[digest]))
            thumbprints[digest] = alias
            self.wanted[alias.lower()] = (alias, der)

    def check_against(self, app):
        """Refuse (before any change) an alias the app already has with another certificate."""
        for item in app.get("certificates") or []:
            alias = str(item.get("certAlias") or "")
            wanted = self.wanted.get(alias.lower())
            if wanted is None:
                continue
            present = _der_of(item.get("x509Base64Certificate"))
            if present is not None and present != wanted[1]:
                raise OptionError(OPTION, "the alias %s is already used on the app by another certificate (thumbprint "
                                          "%s): give the new certificate a new alias (oci_client_key makes one per "
                                          "key), and remove the old one once no client uses it"
                                  % (alias, hashlib.sha1(present).hexdigest()))  # nosec

    def view(self, current):
        """The desired certificates view, given the ``current`` one."""
        kept = [] if self.purge else [e for e in current if str(e["alias"]).lower() not in self.wanted]
        return sorted(kept + [describe(alias, der) for alias, der in self.wanted.values()],
                      key=lambda e: str(e["alias"]).lower())


def certificate_ops(app, spec):
    """The PatchOps that give ``app`` the certificates of ``spec`` (None: left alone); [] when nothing differs."""
    if spec is None:
        return []
    spec.check_against(app)
    present = dict((str(item.get("certAlias") or "").lower(), item) for item in app.get("certificates") or [])
    added = [dict(certAlias=alias, x509Base64Certificate=base64.b64encode(der).decode("ascii"))
             for key, (alias, der) in sorted(spec.wanted.items()) if key not in present]
    ops = [dict(op="add", path="certificates", value=added)] if added else []
    if spec.purge:
        for key, item in sorted(present.items()):
            if key not in spec.wanted:
                ops.append(dict(op="remove", path="certificates[certAlias eq %s]" % json.dumps(item.get("certAlias"))))
    return ops


def check_client_auth(client_auth, client_certificates, purge):
    """``(client_auth, CertificateSpec or None)`` from the module's options, or OptionError."""
    if client_auth not in CLIENT_AUTH_MODES:
        raise OptionError("client_auth", "client_auth must be one of %s: got %r" % (", ".join(CLIENT_AUTH_MODES), client_auth))
    if client_certificates is None:
        return client_auth, None
    if client_auth != "private_key":
        raise OptionError(OPTION, "client_certificates are used only with client_auth=private_key (a trusted client "
                                  "that authenticates with its key): set client_auth: private_key")
    return client_auth, CertificateSpec(client_certificates, purge=purge)
