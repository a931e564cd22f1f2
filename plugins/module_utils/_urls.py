# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

The URLs that tie the two clouds together, checked and normalised in one place. The identity
domain URL gives the issuer; the issuer must be byte-identical in the domain's Settings, in the
token's ``iss``, in the IAM OIDC provider URL, and (without its scheme) in the provider ARN and
the trust policy's condition keys.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.module_utils.six.moves.urllib.parse import urlsplit

from ansible_collections.multicloud.oci_aws.plugins.module_utils._common import OptionError

_HOST = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$")
_IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")

PORT_WARNING = (
    "%s %s has a port; AWS documents OIDC provider URLs without ports (real identity domains "
    "serve on 443). This is expected against a private endpoint or the sandbox only."
)


class HttpsUrl(object):
    """A checked https URL: ``origin`` (scheme://host[:port], default port dropped), ``path``."""

    def __init__(self, host, port, path):
        self.host = host
        self.port = port
        self.path = path

    @property
    def netloc(self):
        return self.host if self.port is None else "%s:%d" % (self.host, self.port)

    @property
    def origin(self):
        return "https://" + self.netloc

    @property
    def url(self):
        return self.origin + self.path

    @property
    def provider_id(self):
        """What follows ``oidc-provider/`` in the IAM provider ARN and prefixes condition keys."""
        return self.netloc + self.path


def parse_https_url(value, option, allow_path=False, allow_http=False, example="https://idcs-<id>.identity.oraclecloud.com"):
    """Check that ``value`` is an https URL without user info, query or fragment.

    With ``allow_path`` False the URL must have no path (a trailing ``/`` alone is tolerated and
    dropped); with ``allow_path`` True the path is kept exactly, trailing slash included, since
    IAM and STS compare issuers byte for byte. The host is lower-cased and ``:443`` dropped.
    ``allow_http`` exists for callers that must also accept plain-http endpoints (none in
    normal use). Raises :class:`OptionError` naming ``option`` and the fix.
    """
    if not isinstance(value, str) or not value.strip():
        raise OptionError(option, "%s must be a URL such as %s" % (option, example))
    if value != value.strip() or any(ch.isspace() for ch in value):
        raise OptionError(option, "%s must not contain whitespace: got %r" % (option, value))
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise OptionError(option, "%s is not a valid URL (%s): %r; expected a URL such as %s" % (option, exc, value, example))
    scheme = parts.scheme.lower()
    if scheme != "https" and not (allow_http and scheme == "http"):
        raise OptionError(
            option,
            "%s must start with https:// (AWS and OCI only trust issuers and endpoints served over TLS): got %r; "
            "use %s" % (option, value, example),
        )
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise OptionError(option, "%s must not contain user information (user:password@); got a URL with it" % option)
    if parts.query or value.rstrip().endswith("?"):
        raise OptionError(option, "%s must not have a query string (?...): got %r" % (option, value))
    if parts.fragment or "#" in value:
        raise OptionError(option, "%s must not have a fragment (#...): got %r" % (option, value))
    host = (parts.hostname or "").lower()
    if not host or not (_HOST.match(host) or _IPV4.match(host)):
        raise OptionError(option, "%s has no valid host name: got %r; expected a URL such as %s" % (option, value, example))
    if port == 443 and scheme == "https":
        port = None
    path = parts.path
    if not allow_path:
        if path not in ("", "/"):
            raise OptionError(
                option, "%s must be the domain's base URL without a path: got %r; use %s" % (option, value, example)
            )
        path = ""
    return HttpsUrl(host, port, path)


def issuer_for_domain(domain_url, option="domain_url"):
    """The issuer AWS needs for an identity domain: its base URL, default port dropped, no slash."""
    return parse_https_url(domain_url, option).origin


def port_warning(url, option):
    """The warning to show when an issuer carries a non-default port, else None."""
    return PORT_WARNING % (option, url.origin) if url.port is not None else None
