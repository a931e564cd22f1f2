# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

The client's key pair, made where it is used (module ``oci_client_key``): an RSA private key and
a self-signed certificate in ONE 0600 PEM file (key first, certificate after), in a 0700
directory that passes :func:`_paths.check_trusted`. One file, so that switching to a new key is one
atomic rename: a reader never sees a key with another key's certificate.

Rotation without downtime (the ``stage`` option), as plain runs:

1. ``present``: ``<name>.pem`` is made if missing; when it is older than ``max_key_age`` days (or
   its certificate ends within ``renew_before`` days), ``<name>.next.pem`` is made beside it. The
   exchange keeps using ``<name>.pem``. Register every certificate returned (current and next).
2. ``promote``: ``<name>.next.pem`` replaces ``<name>.pem`` (the old one is kept as
   ``<name>.previous.pem``); exchanges from now on sign with the new key.
3. ``prune``: ``<name>.previous.pem`` is removed; then remove its certificate from the app.

The certificate alias is ``<name>-<first 12 hex digits of its SHA-1 thumbprint>``: unique per key,
found again from the certificate alone. The private key is never returned, shown or copied.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import os
import time

from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._paths import atomic_write, check_trusted, make_private_dirs
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.client_auth import (
    HAS_CRYPTOGRAPHY, MIN_KEY_BITS, load_certificate, load_key_file, not_after, not_before, same_key,
    thumbprint,
)

if HAS_CRYPTOGRAPHY:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

STAGES = ("present", "promote", "prune")
ROLES = ("current", "next", "previous")
DEFAULT_VALID_DAYS = 365
MAX_KEY_SIZE = 8192


def alias_of(name, der):
    return "%s-%s" % (name, hashlib.sha1(der).hexdigest()[:12])  # nosec - a name, not a security check


def describe(path, name, role, now):
    """What the module returns of one pair: its certificate (public) and how to name it; never the key."""
    certificate = load_certificate(path, "path")
    der = certificate.public_bytes(serialization.Encoding.DER)
    end, start = not_after(certificate), not_before(certificate)
    return {
        "role": role,
        "file": path,
        "alias": alias_of(name, der),
        "x5t": thumbprint(der),
        "sha1_thumbprint": hashlib.sha1(der).hexdigest(),  # nosec - the thumbprint the App shows
        "certificate": certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        "x509_base64": base64.b64encode(der).decode("ascii"),
        "not_before": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "not_after": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "age_days": int((now - start.timestamp()) // 86400),
    }


class ClientKey:
    """The key files of one client on this host (see the module docstring)."""

    def __init__(self, path, name="client", key_size=MIN_KEY_BITS, valid_days=DEFAULT_VALID_DAYS, max_key_age=None,
                 renew_before=30, check_mode=False, now=None):
        if not HAS_CRYPTOGRAPHY:
            raise OptionError("path", "oci_client_key needs the Python library cryptography on this host")
        if not isinstance(key_size, int) or not MIN_KEY_BITS <= key_size <= MAX_KEY_SIZE:
            raise OptionError("key_size", "key_size must be %d to %d bits: got %r" % (MIN_KEY_BITS, MAX_KEY_SIZE, key_size))
        if not isinstance(valid_days, int) or not 1 <= valid_days <= 3650:
            raise OptionError("valid_days", "valid_days must be 1 to 3650: got %r" % (valid_days,))
        if max_key_age is not None and (not isinstance(max_key_age, int) or not 1 <= max_key_age < valid_days):
            raise OptionError("max_key_age", "max_key_age must be 1 day or more and less than valid_days (%d), so that "
                                             "a key is rotated before its certificate ends: got %r" % (valid_days, max_key_age))
        if not name or not all(c.isalnum() or c in "-_" for c in name) or len(name) > 50:
            raise OptionError("name", "name must be 1 to 50 letters, digits, - and _: got %r" % (name,))
        if not os.path.isabs(os.path.expanduser(path)):
            raise OptionError("path", "path must be an absolute directory path: got %r" % (path,))
        self.directory = os.path.abspath(os.path.expanduser(path))
        self.name = name
        self.key_size = key_size
        self.valid_days = valid_days
        self.max_key_age = max_key_age
        self.renew_before = renew_before
        self.check_mode = check_mode
        self.now = now

    def file(self, role):
        return os.path.join(self.directory, self.name + ("" if role == "current" else "." + role) + ".pem")

    def _now(self):
        return self.now if self.now is not None else time.time()

    def _check_existing(self, role):
        """The certificate of the existing ``role`` file, after the key, the pair and the dates are checked."""
        path = self.file(role)
        key, certificate = load_key_file(path, "path")
        if certificate is None:
            raise OptionError("path", "%s holds no certificate: remove the file so that a new pair is made" % path)
        if not same_key(key, certificate):
            raise OptionError("path", "%s holds a certificate that is not its key's: remove the file so that a new pair "
                                      "is made" % path)
        return certificate

    def _due(self, certificate, now):
        start, end = not_before(certificate).timestamp(), not_after(certificate).timestamp()
        if self.max_key_age is not None and now - start >= self.max_key_age * 86400:
            return True
        return end - now <= self.renew_before * 86400

    def _generate(self, role, now):
        key = rsa.generate_private_key(public_exponent=65537, key_size=self.key_size)
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, self.name)])
        start = datetime.datetime.fromtimestamp(int(now) - 300, datetime.timezone.utc)
        certificate = (
            x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start)
            .not_valid_after(start + datetime.timedelta(days=self.valid_days, seconds=300))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        data = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        atomic_write(self.file(role), data + certificate.public_bytes(serialization.Encoding.PEM))

    def run(self, stage="present"):
        """``(changed, result)`` for ``stage``; every existing file is checked before anything changes."""
        if stage not in STAGES:
            raise OptionError("stage", "stage must be one of %s: got %r" % (", ".join(STAGES), stage))
        now = self._now()
        check_trusted(self.directory, "path")
        existing = dict((role, self._check_existing(role)) for role in ROLES if os.path.lexists(self.file(role)))
        current = existing.get("current")
        if current is not None and not_after(current).timestamp() <= now and self.max_key_age is None \
                and "next" not in existing:
            raise OptionError("path", "the certificate of %s expired on %s: set max_key_age so that a new key is made "
                                      "beside it (then register, promote, prune), or remove the file"
                              % (self.file("current"), not_after(current).strftime("%Y-%m-%dT%H:%M:%SZ")))
        changed = False
        if not self.check_mode:
            make_private_dirs(self.directory, "path")
        if stage == "present":
            if current is None:
                changed = True
                if not self.check_mode:
                    self._generate("current", now)
            elif "next" not in existing and self._due(current, now):
                changed = True
                if not self.check_mode:
                    self._generate("next", now)
        elif stage == "promote" and "next" in existing:
            changed = True
            if not self.check_mode:
                if current is not None:
                    _replace(self.file("current"), self.file("previous"), keep_source=True)
                os.rename(self.file("next"), self.file("current"))  # atomic: readers see the old pair or the new
        elif stage == "prune" and "previous" in existing:
            changed = True
            if not self.check_mode:
                os.unlink(self.file("previous"))
        return changed, self.result(now)

    def result(self, now):
        pairs = [describe(self.file(role), self.name, role, now) for role in ROLES if os.path.exists(self.file(role))]
        current = [p for p in pairs if p["role"] == "current"]
        return {
            "private_key_file": self.file("current"),
            "certificate_file": self.file("current"),
            "certificates": pairs,
            "current": current[0] if current else None,
        }


def _replace(source, target, keep_source=False):
    """Copy ``source`` over ``target`` (0600, atomic), keeping ``source`` in place."""
    with open(source, "rb") as handle:
        atomic_write(target, handle.read())
    if not keep_source:
        os.unlink(source)
