# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

Steps 3 and 4 of the manual procedure: the domain's token issuer (the JWT ``iss``, which AWS
compares byte for byte with its OIDC provider URL) and public access to the signing keys (AWS
fetches the JWKS anonymously). Only these two attributes of the single Settings resource are ever
written, by PATCH: a PUT would reset every setting it does not name.
"""

from __future__ import annotations

from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._urls import (
    issuer_for_domain,
    parse_https_url,
    port_warning,
)

# (view key, Settings attribute)
FIELDS = (("issuer", "issuer"), ("signing_cert_public_access", "signingCertPublicAccess"))
# The issuer of a domain that was never given one, as the service writes it (with its trailing slash).
SERVICE_DEFAULT_ISSUER = "https://identity.oraclecloud.com/"
DEFAULT = "default"


def check_issuer(value, domain_url):
    """(issuer, warnings): ``value`` checked, the domain's own issuer when ``value`` is None, or the
    service default for ``default`` (which undoes step 3)."""
    domain = issuer_for_domain(domain_url)
    if value == DEFAULT:
        return SERVICE_DEFAULT_ISSUER, [
            "issuer=default gives the domain back the service default issuer %s: AWS no longer accepts the tokens "
            "of this domain (their iss is not the IAM OIDC provider's URL)" % SERVICE_DEFAULT_ISSUER]
    issuer = domain if value is None else _check_explicit_issuer(value)
    warnings = [w for w in [port_warning(parse_https_url(issuer, "issuer"), "issuer")] if w]
    if issuer != domain:
        warnings.append(
            "issuer %s is not the domain URL %s: AWS will fetch the discovery document and signing keys from %s, "
            "which works only if that host serves this domain's /.well-known/openid-configuration"
            % (issuer, domain, issuer))
    return issuer, warnings


def _check_explicit_issuer(value):
    url = parse_https_url(value, "issuer", allow_path=True)
    if value.endswith("/"):
        raise OptionError(
            "issuer", "issuer must not end with '/': AWS compares the token's iss with its OIDC provider URL "
                      "byte for byte, and provider URLs have no trailing slash; use %s" % value.rstrip("/"))
    if url.path:
        raise OptionError(
            "issuer", "issuer must have no path (got %r): AWS reads <issuer>/.well-known/openid-configuration, "
                      "which an identity domain serves at its root only; use %s" % (value, url.origin))
    if value != url.origin:
        raise OptionError(
            "issuer", "issuer must be written as %s (lower-case host, no :443): got %r; the token's iss and the "
                      "AWS provider URL must be identical" % (url.origin, value))
    return value


def view(settings):
    return dict(issuer=settings.get("issuer") or None,
                signing_cert_public_access=bool(settings.get("signingCertPublicAccess")))


class TokenPolicyManager:
    """Ensures the issuer and the signing keys' public access of one identity domain."""

    def __init__(self, client, issuer, signing_cert_public_access=True, check_mode=False):
        self.client = client
        self.desired = dict(issuer=issuer, signing_cert_public_access=signing_cert_public_access)
        self.check_mode = check_mode

    def _read(self):
        return view(self.client.get_settings([attribute for _key, attribute in FIELDS]))

    def apply(self):
        before = self._read()
        ops = [dict(op="replace", path=attribute, value=self.desired[key])
               for key, attribute in FIELDS if before[key] != self.desired[key]]
        if not ops:
            after = before
        elif self.check_mode:
            after = dict(before, **self.desired)
        else:
            self.client.patch_settings(ops)
            after = self._read()
        return dict(
            changed=bool(ops),
            issuer=after["issuer"],
            previous_issuer=before["issuer"],
            signing_cert_public_access=after["signing_cert_public_access"],
            diff=dict(before=before, after=after),
        )
