# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

The URLs that tie the two clouds together, checked and normalised in one place. The identity
domain URL gives the issuer; the issuer must be byte-identical in the domain's Settings, in the
token's ``iss``, in the IAM OIDC provider URL, and (without its scheme) in the provider ARN and
the trust policy's condition keys.
"""

from __future__ import annotations

import typing as t

import ipaddress
import re

from urllib.parse import urlsplit

from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._validate import shown

# A DNS name of ASCII labels (an internationalised name in its xn-- form), at most 253 characters.
_HOST = re.compile(r"(?=.{1,253}\Z)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*",
                   re.ASCII)
# What a URL may hold at all: printable ASCII (RFC 3986; other characters are percent-encoded).
_URL = re.compile(r"[\x21-\x7e]{1,2048}", re.ASCII)
_NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*", re.ASCII)

PORT_WARNING = (
    "%s %s has a port; AWS documents OIDC provider URLs without ports (real identity domains "
    "serve on 443). This is expected against a private endpoint or the sandbox only."
)


class HttpsUrl:
    """A checked https URL: ``origin`` (scheme://host[:port], default port dropped), ``path``."""

    def __init__(self, host: str, port: int | None, path: str) -> None:
        self.host = host
        self.port = port
        self.path = path

    @property
    def netloc(self) -> str:
        return self.host if self.port is None else "%s:%d" % (self.host, self.port)

    @property
    def origin(self) -> str:
        return "https://" + self.netloc

    @property
    def url(self) -> str:
        return self.origin + self.path

    @property
    def provider_id(self) -> str:
        """What follows ``oidc-provider/`` in the IAM provider ARN and prefixes condition keys."""
        return self.netloc + self.path


def parse_https_url(value: t.Any, option: str, allow_path: bool = False,
                    example: str = "https://idcs-<id>.identity.oraclecloud.com") -> HttpsUrl:
    """Check that ``value`` is an https URL without user info, query or fragment.

    With ``allow_path`` False the URL must have no path (a trailing ``/`` alone is tolerated and
    dropped); with ``allow_path`` True the path is kept exactly, trailing slash included, since
    IAM and STS compare issuers byte for byte. The host is lower-cased and ``:443`` dropped.
    Raises :class:`OptionError` naming ``option`` and the fix.
    """
    if not isinstance(value, str) or not value.strip():
        raise OptionError(option, "%s must be a URL such as %s" % (option, example))
    if value != value.strip() or any(ch.isspace() for ch in value):
        raise OptionError(option, "%s must not contain whitespace: got %s" % (option, shown(value)))
    if len(value) > 2048:
        raise OptionError(option, "%s is %d characters long; a URL here has at most 2048" % (option, len(value)))
    if not _URL.fullmatch(value):
        raise OptionError(option, "%s must be printable ASCII (no control characters; write an internationalised host "
                                  "name in its xn-- form, digits as 0-9, and percent-encode other characters): got %s%s"
                          % (option, shown(value), _idna_hint(value)))
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise OptionError(option, "%s is not a valid URL (%s): %s; expected a URL such as %s"
                          % (option, exc, shown(value), example))
    scheme = parts.scheme.lower()
    if scheme != "https":
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
    host = _check_host(parts, value, option, example)
    if port == 0:
        raise OptionError(option, "%s has port 0, which no server listens on: got %s" % (option, shown(value)))
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


def _check_host(parts, value, option, example):
    """The host of ``parts``, lower-case: a DNS name, a dotted-quad IPv4 address or a bracketed IPv6 address."""
    host = (parts.hostname or "").lower()
    bad = "%s has no valid host name: got %s; expected a URL such as %s" % (option, shown(value), example)
    if "[" in parts.netloc or "]" in parts.netloc:
        try:
            address = ipaddress.IPv6Address(host) if "%" not in host else None
        except ValueError:
            address = None
        if address is None:
            raise OptionError(option, bad + " (an IPv6 address is written in brackets, without a zone: https://[2001:db8::1])")
        return "[%s]" % address.compressed
    if host.endswith("."):
        raise OptionError(option, "%s has a host name ending with a dot: got %s; remove the trailing dot (AWS and OCI "
                                  "compare issuers byte for byte)" % (option, shown(value)))
    labels = host.split(".")
    if _NUMERIC_LABEL.fullmatch(labels[-1]):
        # A host whose last label is a number is an IPv4 address to every URL parser (WHATWG): it must
        # be one, written as four decimal numbers from 0 to 255 without leading zeros.
        try:
            address = ipaddress.IPv4Address(host)
        except ValueError:
            raise OptionError(option, "%s has %r as host, which is not an IPv4 address (four numbers from 0 to 255, "
                                      "without leading zeros, such as 127.0.0.1): got %s" % (option, host, shown(value)))
        return str(address)
    if not _HOST.fullmatch(host):
        raise OptionError(option, bad)
    return host


def _idna_hint(value):
    """For a URL whose host is not ASCII: its ASCII (IDNA) form to use instead, when there is one."""
    try:
        host = urlsplit(value).hostname
        if host and not host.isascii() and not all(c.isdigit() or c == "." for c in host):
            return "; for this host use %s" % host.encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        pass
    return ""


def normalize_issuer(value, option):
    """The issuer as IAM and STS compare it, for ``oci_aws_assume``'s ``issuer`` and ``aws_oidc_role``'s ``issuer_url``.

    An :class:`HttpsUrl` whose ``url`` is the issuer: scheme and host lower-cased (DNS names are not
    case-sensitive), ``:443`` dropped, and the path kept exactly, trailing slash included, since IAM
    provider URLs are case-sensitive in the path. No query, fragment or user information.
    """
    return parse_https_url(value, option, allow_path=True)


# The hosts of a real identity domain, as Oracle's API and discovery documents give them: the region-agnostic
# Domain URL idcs-<32 hex>.identity.oraclecloud.com (GetDomain ``url``, the first ``aud`` of its tokens, their
# ``tenant_iss`` with :443), and the Regional URL of its home or a replica region,
# idcs-<32 hex>.<region>-idcs-<n>.secure.identity.oraclecloud.com (GetDomain ``homeRegionUrl``, ReplicatedRegionDetails
# ``regionalUrl``, the discovery document's ``secure_*`` endpoints). Both serve the same domain.
_REGIONAL_DOMAIN_HOST = re.compile(r"(idcs-[0-9a-f]{32})\.[a-z0-9-]+-idcs-[0-9]+\.secure\.(identity\.[a-z0-9.-]+)\Z", re.ASCII)
# The issuer every identity domain shares until step 3 changes it: not one domain's URL.
_SHARED_ISSUER_HOST = "identity.oraclecloud.com"


def domain_issuer_origin(url, option="domain_url"):
    """The issuer of the identity domain at ``url`` (an :class:`HttpsUrl`): one value for every way of writing it.

    Per variant of the domain URL (the console and the API show several):
    - ``:443``, upper-case letters, a trailing ``/``: normalised by :func:`parse_https_url` already;
    - the Regional URL ``idcs-<id>.<region>-idcs-<n>.secure.identity.oraclecloud.com`` (home or replica region):
      normalised to the region-agnostic Domain URL ``https://idcs-<id>.identity.oraclecloud.com``. The issuer is
      domain-wide (one Settings resource for every region), so every region's URL must give the same one, and it
      must not change when a replica region takes over;
    - ``https://identity.oraclecloud.com``, the issuer all domains share by default: refused, it is no domain's URL
      (the tokens of every domain still on the default issuer carry it, so it names no single domain);
    - any other host (a private endpoint, the sandbox): kept as given.
    """
    host = url.host
    if host == _SHARED_ISSUER_HOST:
        raise OptionError(
            option, "%s %s is the issuer that every identity domain shares by default, not the URL of one domain; "
                    "give the domain's own URL, https://idcs-<32 hex>.identity.oraclecloud.com (Console: Identity & "
                    "Security > Domains > the domain > Domain URL)" % (option, url.origin))
    regional = _REGIONAL_DOMAIN_HOST.match(host)
    if regional:
        host = "%s.%s" % regional.groups()
    return HttpsUrl(host, url.port, "").origin


def parse_domain_url(domain_url, option="domain_url"):
    """``domain_url`` checked as the base URL of one identity domain (where its API is called): an
    :class:`HttpsUrl`, as written (normalised by :func:`parse_https_url`); its issuer is
    :func:`domain_issuer_origin` of it."""
    url = parse_https_url(domain_url, option)
    domain_issuer_origin(url, option)
    return url


def issuer_for_domain(domain_url: str, option: str = "domain_url") -> str:
    """The issuer AWS needs for an identity domain: its region-agnostic base URL, default port dropped, no slash
    (see :func:`domain_issuer_origin`)."""
    return domain_issuer_origin(parse_https_url(domain_url, option), option)


def port_warning(url: HttpsUrl, option: str) -> str | None:
    """The warning to show when an issuer carries a non-default port, else None."""
    return PORT_WARNING % (option, url.origin) if url.port is not None else None


# The shared issuer of identity domains whose issuer was never changed (Oracle writes it with a slash).
OCI_DEFAULT_ISSUERS = ("https://identity.oraclecloud.com/", "https://identity.oraclecloud.com")
TOKEN_PATH = "/oauth2/v1/token"
